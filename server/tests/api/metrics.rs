//! `GET /metrics`: Prometheus text whose counters move with what happens, with bounded
//! labels (route patterns, never ids).

use hallpass_server::config::CacheBackend;
use hallpass_shared::{ErrorCode, Role, paths};
use reqwest::StatusCode;

use std::time::Duration;

use crate::support::{TestApp, assert_error, spawn_app_with};

async fn scrape(app: &TestApp) -> String {
    let response = app.anonymous().get(paths::METRICS).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    response.text().await.unwrap()
}

/// The active-sessions gauge once it reads `expected` (it is recounted in the
/// background), or its last reading after 30 seconds: a recount waits at least 100 times
/// as long as the last one took, and on a loaded machine even a count of a few rows can
/// take tens of milliseconds.
async fn settled_gauge(app: &TestApp, expected: f64) -> f64 {
    let mut reading = f64::NAN;
    for _ in 0..600 {
        reading = sample(&scrape(app).await, "hallpass_active_sessions");
        if reading == expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    reading
}

/// Settings that recount the gauge every 50 ms.
fn quick_gauge(settings: &mut hallpass_server::config::Settings) {
    settings.metrics_refresh = Duration::from_millis(50);
}

/// The value of one sample, 0 when the series does not exist yet.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| {
            line.strip_prefix(series)
                .and_then(|rest| rest.strip_prefix(' '))
        })
        .map_or(0.0, |value| value.parse().unwrap())
}

#[tokio::test]
async fn session_counters_move_with_what_happens() {
    let app = spawn_app_with(CacheBackend::Redis, quick_gauge).await;
    let before = scrape(&app).await;
    let student = app.student().await;
    let phone = student.second_device().await;
    assert_error(
        student.login_with("wrong password!").await,
        StatusCode::UNAUTHORIZED,
        ErrorCode::InvalidCredentials,
    )
    .await;
    student.current().await;
    app.forget_cached(&student).await;
    student.current().await;
    student.post(paths::ENSURE_SESSION).await;
    let phone_id = phone.current().await.session.id;
    student.delete(&paths::session(phone_id)).await;
    phone.assert_signed_out(ErrorCode::SessionRevoked).await;
    app.anonymous()
        .assert_signed_out(ErrorCode::SessionInvalid)
        .await;

    let after = scrape(&app).await;
    for name in [
        "hallpass_http_requests_total",
        "hallpass_http_request_duration_seconds",
        "hallpass_session_validations_total",
        "hallpass_session_ensure_total",
        "hallpass_logins_total",
        "hallpass_session_revocations_total",
        "hallpass_active_sessions",
    ] {
        assert!(after.contains(&format!("# TYPE {name}")), "{name} missing");
    }

    let moved = |series: &str| sample(&after, series) - sample(&before, series);
    assert_eq!(moved(r#"hallpass_logins_total{result="succeeded"}"#), 2.0);
    assert_eq!(moved(r#"hallpass_logins_total{result="failed"}"#), 1.0);
    // From this instance's memory (the local tier) or from Redis behind it.
    assert!(
        moved(r#"hallpass_session_validations_total{outcome="valid",source="memory"}"#)
            + moved(r#"hallpass_session_validations_total{outcome="valid",source="cache"}"#)
            >= 1.0
    );
    assert!(
        moved(r#"hallpass_session_validations_total{outcome="valid",source="database"}"#) >= 1.0
    );
    assert_eq!(
        moved(r#"hallpass_session_validations_total{outcome="revoked",source="database"}"#),
        1.0
    );
    assert_eq!(
        moved(r#"hallpass_session_validations_total{outcome="invalid",source="cookie"}"#),
        1.0
    );
    assert_eq!(
        moved(r#"hallpass_session_ensure_total{result="exists"}"#),
        1.0
    );
    assert_eq!(
        moved(r#"hallpass_session_revocations_total{reason="user"}"#),
        1.0
    );
    assert_eq!(settled_gauge(&app, 1.0).await, 1.0);
    assert!(
        moved(
            r#"hallpass_http_requests_total{method="GET",route="/api/auth/session",status="200"}"#
        ) >= 3.0
    );
    assert_eq!(
        moved(
            r#"hallpass_http_requests_total{method="DELETE",route="/api/sessions/{id}",status="204"}"#
        ),
        1.0
    );
    assert!(
        !after.contains(&phone_id.to_string()),
        "ids never become label values"
    );
    assert!(!after.contains(&student.email), "nor do emails");
}

#[tokio::test]
async fn unknown_paths_and_methods_share_one_label() {
    let app = spawn_app_with(CacheBackend::Memory, |_| {}).await;
    let admin = app.logged_in(Role::Admin).await;
    for n in 0..3 {
        admin.get(&format!("/api/nothing/here/{n}")).await;
    }
    admin
        .client
        .request(
            reqwest::Method::from_bytes(b"BREW").unwrap(),
            admin.url(paths::SESSIONS),
        )
        .send()
        .await
        .unwrap();
    let text = scrape(&app).await;
    assert!(text.contains(r#"route="(other)""#));
    assert!(!text.contains("/api/nothing/here/1"));
    assert!(text.contains(r#"method="other""#));
    assert!(!text.contains("BREW"));
}

/// A scrape never waits for the database: the gauge is recounted in the background and
/// keeps its last count while the database does not answer.
#[tokio::test]
async fn a_scrape_never_needs_the_database() {
    let app = spawn_app_with(CacheBackend::Memory, |settings| {
        quick_gauge(settings);
        settings.db_pool_size = 1;
        settings.db_pool_timeout = Duration::from_millis(200);
    })
    .await;
    app.student().await;
    assert_eq!(settled_gauge(&app, 1.0).await, 1.0);
    let held = app.state.domain.store.pool().get().await.unwrap();
    let text = scrape(&app).await;
    assert_eq!(sample(&text, "hallpass_active_sessions"), 1.0);
    drop(held);
}

#[tokio::test]
async fn metrics_bind_serves_metrics_on_their_own_address_only() {
    let app = spawn_app_with(CacheBackend::Memory, |settings| {
        settings.metrics_bind = Some("127.0.0.1:0".parse().unwrap());
    })
    .await;
    assert_error(
        app.anonymous().get(paths::METRICS).await,
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
    let metrics = app.metrics_address.as_deref().expect("a metrics address");
    let response = reqwest::get(format!("{metrics}{}", paths::METRICS))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    let text = response.text().await.unwrap();
    assert!(text.contains("hallpass_active_sessions"), "{text}");
    let api_on_metrics = reqwest::get(format!("{metrics}{}", paths::CURRENT_SESSION))
        .await
        .unwrap();
    assert_eq!(api_on_metrics.status(), StatusCode::NOT_FOUND);
}
