//! Probes for orchestrators: liveness and readiness.

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::state::AppState;

/// `GET /healthz`: the process answers.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// `GET /readyz`: 200 when the database and the session cache both answer, else 503
/// naming what is down.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let database = match state.db.get().await {
        Ok(mut conn) => {
            diesel_async::RunQueryDsl::execute(diesel::sql_query("SELECT 1"), &mut conn)
                .await
                .is_ok()
        }
        Err(_) => false,
    };
    let cache = state.cache.ping().await.is_ok();
    let word = |up: bool| if up { "ok" } else { "down" };
    let body = json!({
        "status": word(database && cache),
        "database": word(database),
        "cache": word(cache),
        "cache_backend": state.cache.backend_name(),
    });
    if database && cache {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}
