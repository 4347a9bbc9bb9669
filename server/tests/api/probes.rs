//! Liveness and readiness.

use hallpass_server::config::CacheBackend;
use hallpass_shared::paths;
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{json, spawn_app};

#[tokio::test]
async fn healthz_and_readyz_answer_on_every_backend() {
    for backend in [
        CacheBackend::Memory,
        CacheBackend::Redis,
        CacheBackend::Postgres,
    ] {
        let app = spawn_app(backend).await;
        let nobody = app.anonymous();
        assert_eq!(nobody.get(paths::HEALTHZ).await.status(), StatusCode::OK);
        let ready: Value = json(nobody.get(paths::READYZ).await).await;
        assert_eq!(ready["status"], "ok");
        assert_eq!(ready["database"], "ok");
        assert_eq!(ready["cache"], "ok");
    }
}
