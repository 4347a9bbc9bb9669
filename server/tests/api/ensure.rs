//! `POST /api/sessions/ensure`: idempotent by construction, never a resurrection.

use futures_util::future::join_all;
use hallpass_server::config::CacheBackend;
use hallpass_shared::{EnsureResponse, ErrorCode, paths};
use reqwest::StatusCode;

use crate::support::{assert_error, json, spawn_app, spawn_app_with};

#[tokio::test]
async fn ensure_on_a_logged_in_session_answers_exists() {
    let app = spawn_app(CacheBackend::Redis).await;
    let student = app.student().await;
    let current = student.current().await;
    let response = student.post(paths::ENSURE_SESSION).await;
    assert_eq!(response.headers()["cache-control"], "no-store");
    let ensured: EnsureResponse = json(response).await;
    assert!(ensured.exists);
    assert!(!ensured.created);
    assert_eq!(ensured.session.id, current.session.id);
}

#[tokio::test]
async fn ensure_records_a_minted_cookie_whose_row_is_missing_exactly_once_under_concurrency() {
    let app = spawn_app_with(CacheBackend::Redis, |settings| settings.db_pool_size = 16).await;
    let student = app.student().await;
    let lost = student.current().await.session;
    // Simulate a lost record (e.g. a restore from an older backup) for a still-valid cookie.
    app.forget_cached(&student).await;
    app.execute(&format!(
        "DELETE FROM user_sessions WHERE id = '{}'",
        lost.id
    ))
    .await;
    let cookie = student.cookie().unwrap();
    student.assert_signed_out(ErrorCode::SessionInvalid).await;
    // That refusal cleared the jar's cookie; put it back as a tab still holding it would.
    student.set_cookie(&cookie);

    let answers = join_all((0..200).map(|_| student.post(paths::ENSURE_SESSION))).await;
    let mut created = 0;
    for answer in answers {
        let ensured: EnsureResponse = json(answer).await;
        created += usize::from(ensured.created);
        assert!(ensured.created != ensured.exists);
    }
    assert_eq!(created, 1, "exactly one call created the record");
    let rows = app.session_rows(&student).await;
    assert_eq!(rows.len(), 1, "200 concurrent calls leave exactly one row");
    assert_eq!(rows[0]["is_active"], true);
    assert_eq!(
        app.events_of_kind(&student, "session_created").await.len(),
        2,
        "login + ensure"
    );
    student.current().await;
}

#[tokio::test]
async fn ensure_never_revives_a_revoked_session() {
    let app = spawn_app(CacheBackend::Redis).await;
    let student = app.student().await;
    let cookie = student.cookie().unwrap();
    assert_eq!(
        student.post(paths::LOGOUT).await.status(),
        StatusCode::NO_CONTENT
    );
    student.set_cookie(&cookie);
    assert_error(
        student.post(paths::ENSURE_SESSION).await,
        StatusCode::UNAUTHORIZED,
        ErrorCode::SessionRevoked,
    )
    .await;
    let rows = app.session_rows(&student).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["is_active"], false);
}

#[tokio::test]
async fn ensure_never_recreates_an_expired_session() {
    let app = spawn_app_with(CacheBackend::Memory, |settings| {
        settings.session_ttl = std::time::Duration::from_secs(1)
    })
    .await;
    let student = app.student().await;
    let cookie = student.cookie().unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1_200)).await;
    // Even once the purge has removed the expired row.
    app.execute("DELETE FROM user_sessions").await;
    student.set_cookie(&cookie);
    assert_error(
        student.post(paths::ENSURE_SESSION).await,
        StatusCode::UNAUTHORIZED,
        ErrorCode::SessionExpired,
    )
    .await;
    assert!(app.session_rows(&student).await.is_empty());
}

#[tokio::test]
async fn ensure_without_a_cookie_is_refused() {
    let app = spawn_app(CacheBackend::Memory).await;
    let nobody = app.anonymous();
    assert_error(
        nobody.post(paths::ENSURE_SESSION).await,
        StatusCode::UNAUTHORIZED,
        ErrorCode::SessionInvalid,
    )
    .await;
}
