//! Probes for orchestrators and monitoring: liveness, readiness, Prometheus metrics.

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::{error::ApiError, state::AppState};

/// `GET /healthz`: the process answers.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "probes",
    responses(
        (status = 200, description = "The process answers")
    ),
    security(())
)]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// `GET /readyz`: 200 while the instance can serve, that is while the database answers;
/// 503 when it does not. A dead cache is *degraded*, not unready (validation falls back
/// to the database): the body says so (`"status": "degraded"`), and so does the
/// `hallpass_cache_up` gauge. `invalidation` says whether revocations made on other
/// instances are heard (`live`) or this instance's own cache is bypassed (`lost`).
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "probes",
    responses(
        (status = 200, description = "The database answers; `status` is `ok`, or `degraded` when the cache does not answer"), (status = 503, description = "The database does not answer")
    ),
    security(())
)]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let ready = state.domain.readiness().await;
    let (database, cache) = (ready.database, ready.cache);
    let word = |up: bool| if up { "ok" } else { "down" };
    let status = match (database, cache) {
        (false, _) => "down",
        (true, false) => "degraded",
        (true, true) => "ok",
    };
    let body = json!({
        "status": status,
        "database": word(database),
        "cache": word(cache),
        "cache_backend": state.domain.cache.backend_name(),
        "invalidation": if state.domain.cache.channel_is_live() { "live" } else { "lost" },
    });
    if database {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

/// `GET /metrics`: Prometheus text format. Never touches the database: the
/// active-session gauge is recounted in the background (`METRICS_REFRESH`).
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "probes",
    responses(
        (status = 200, description = "Prometheus text format", content_type = "text/plain")
    ),
    security(())
)]
pub async fn metrics(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let domain = &state.domain;
    domain.metrics.set_cache_up(!domain.cache.is_degraded());
    domain
        .metrics
        .set_cache_forged_entries(domain.cache.forged_entries());
    domain
        .metrics
        .set_invalidation_channel_up(domain.cache.channel_is_live());
    let text = domain
        .metrics
        .render()
        .map_err(|error| ApiError::Internal(anyhow::anyhow!("rendering metrics: {error}")))?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text))
}
