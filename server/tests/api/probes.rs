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

#[tokio::test]
async fn the_openapi_document_is_served_and_describes_every_operation_once() {
    let app = spawn_app(CacheBackend::Memory).await;
    let response = app.anonymous().get(paths::OPENAPI).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json");
    let document: Value = response.json().await.unwrap();
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    let committed: Value =
        serde_json::from_str(include_str!("../../../docs/openapi.json")).unwrap();
    assert_eq!(document, committed);
    let mut operation_ids: Vec<&str> = document["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|operations| operations.as_object().unwrap().values())
        .map(|operation| operation["operationId"].as_str().unwrap())
        .collect();
    let count = operation_ids.len();
    operation_ids.sort_unstable();
    operation_ids.dedup();
    assert_eq!(operation_ids.len(), count, "operation ids are unique");
    assert_eq!(
        document["components"]["securitySchemes"]["session_cookie"]["in"],
        "cookie"
    );
}
