//! Cross-site request forgery defences on state-changing requests.

use hallpass_server::config::CacheBackend;
use hallpass_shared::{ErrorCode, LoginRequest, paths};
use reqwest::StatusCode;

use crate::support::{PASSWORD, assert_error, spawn_app, spawn_app_with};

#[tokio::test]
async fn foreign_origins_and_cross_site_fetches_are_refused() {
    let app = spawn_app(CacheBackend::Memory).await;
    let student = app.student().await;
    let evil = student
        .client
        .post(student.url(paths::REVOKE_OTHER_SESSIONS))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_error(evil, StatusCode::FORBIDDEN, ErrorCode::Csrf).await;
    let cross_site = student
        .client
        .post(student.url(paths::LOGOUT))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_error(cross_site, StatusCode::FORBIDDEN, ErrorCode::Csrf).await;
    student.current().await;

    let same_origin = student
        .client
        .post(student.url(paths::ENSURE_SESSION))
        .header("origin", app.address.clone())
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(same_origin.status(), StatusCode::OK);
}

#[tokio::test]
async fn configured_public_origin_is_the_only_one_accepted() {
    let app = spawn_app_with(CacheBackend::Memory, |settings| {
        settings.public_origin = Some("https://hallpass.example.org".into())
    })
    .await;
    let student = app.user(hallpass_shared::Role::Student).await;
    let body = LoginRequest {
        email: student.email.clone(),
        password: PASSWORD.into(),
        token: false,
        shared_device: false,
    };
    let from_host = student
        .client
        .post(student.url(paths::LOGIN))
        .header("origin", app.address.clone())
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_error(from_host, StatusCode::FORBIDDEN, ErrorCode::Csrf).await;
    let from_public = student
        .client
        .post(student.url(paths::LOGIN))
        .header("origin", "https://hallpass.example.org")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(from_public.status(), StatusCode::OK);
}
