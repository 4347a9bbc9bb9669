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

/// `GET /readyz`: 200 when the database and the session cache both answer, else 503
/// naming what is down.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "probes",
    responses(
        (status = 200, description = "Database and cache answer"), (status = 503, description = "The database or the cache does not answer")
    ),
    security(())
)]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let ready = state.domain.readiness().await;
    let (database, cache) = (ready.database, ready.cache);
    let word = |up: bool| if up { "ok" } else { "down" };
    let body = json!({
        "status": word(database && cache),
        "database": word(database),
        "cache": word(cache),
        "cache_backend": state.domain.cache.backend_name(),
    });
    if database && cache {
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
    let text = state
        .domain
        .metrics
        .render()
        .map_err(|error| ApiError::Internal(anyhow::anyhow!("rendering metrics: {error}")))?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text))
}
