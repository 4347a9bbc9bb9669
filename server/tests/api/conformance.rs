//! The cache-backend conformance suite: every test here runs unchanged against the
//! memory, Redis and PostgreSQL caches. Whatever the cache, a revoked session fails on
//! its very next request and the database stays the system of record. (How a revocation
//! reaches the other instances of a deployment is `instances`' subject.)

use std::time::Duration;

use hallpass_server::config::CacheBackend;
use hallpass_shared::{
    EnsureResponse, ErrorCode, PasswordChange, RevokeOthersResponse, Role, SessionList, paths,
};
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{PASSWORD, assert_error, clears_cookie, json, spawn_app, spawn_app_with};

crate::on_every_backend!(
    login_then_validate_from_cache_and_from_database,
    logout_ends_the_session_at_once,
    revoking_one_session_signs_that_browser_out,
    revoke_others_keeps_only_the_current_session,
    password_change_revokes_every_other_session,
    expired_sessions_are_refused,
    idle_sessions_expire_when_configured,
    session_limit_retires_the_oldest,
    deactivated_users_are_refused,
    last_seen_is_refreshed_at_most_once_a_minute,
);

async fn login_then_validate_from_cache_and_from_database(backend: CacheBackend) {
    let app = spawn_app(backend).await;
    let student = app.student().await;
    let first = student.current().await;
    assert_eq!(first.user.email, student.email);
    assert_eq!(first.user.role, Role::Student);
    assert!(first.session.is_current);

    // Cache gone: the database answers, the same session.
    app.forget_cached(&student).await;
    let again = student.current().await;
    assert_eq!(again.session.id, first.session.id);
    let ensured: EnsureResponse = json(student.post(paths::ENSURE_SESSION).await).await;
    assert!(ensured.exists && !ensured.created);
    assert_eq!(app.session_rows(&student).await.len(), 1);
}

async fn logout_ends_the_session_at_once(backend: CacheBackend) {
    let app = spawn_app(backend).await;
    let student = app.student().await;
    let cookie = student.cookie().unwrap();
    student.current().await;

    let logout = student.post(paths::LOGOUT).await;
    assert_eq!(logout.status(), StatusCode::NO_CONTENT);
    assert!(clears_cookie(&logout));
    student.assert_signed_out(ErrorCode::SessionInvalid).await;

    // A copy of the cookie kept from before is dead too, on the very next request.
    student.set_cookie(&cookie);
    let replay = student.get(paths::CURRENT_SESSION).await;
    assert!(clears_cookie(&replay));
    assert_error(replay, StatusCode::UNAUTHORIZED, ErrorCode::SessionRevoked).await;
    let rows = app.session_rows(&student).await;
    assert_eq!(rows[0]["is_active"], false);
    assert_eq!(rows[0]["revoked_reason"], "logout");
}

async fn revoking_one_session_signs_that_browser_out(backend: CacheBackend) {
    let app = spawn_app(backend).await;
    let laptop = app.student().await;
    let phone = laptop.second_device().await;
    let phone_session = phone.current().await.session;

    let listed: SessionList = laptop.get_json(paths::SESSIONS).await;
    assert_eq!(listed.sessions.len(), 2);
    assert_eq!(
        listed
            .sessions
            .iter()
            .filter(|session| session.is_current)
            .count(),
        1
    );
    assert_eq!(listed.sessions[0].id, phone_session.id, "newest first");

    let revoked = laptop.delete(&paths::session(phone_session.id)).await;
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    phone.assert_signed_out(ErrorCode::SessionRevoked).await;
    assert_eq!(
        laptop
            .get_json::<SessionList>(paths::SESSIONS)
            .await
            .sessions
            .len(),
        1
    );
    // Already revoked: not one of the caller's active sessions any more.
    assert_error(
        laptop.delete(&paths::session(phone_session.id)).await,
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
}

async fn revoke_others_keeps_only_the_current_session(backend: CacheBackend) {
    let app = spawn_app(backend).await;
    let laptop = app.student().await;
    let phone = laptop.second_device().await;
    let tablet = laptop.second_device().await;
    phone.current().await;
    tablet.current().await;

    let answer: RevokeOthersResponse = json(laptop.post(paths::REVOKE_OTHER_SESSIONS).await).await;
    assert_eq!(answer.revoked, 2);
    for other in [&phone, &tablet] {
        other.assert_signed_out(ErrorCode::SessionRevoked).await;
    }
    laptop.current().await;
    let reasons = app
        .rows(&format!(
            "SELECT revoked_reason FROM user_sessions WHERE user_id = '{}' AND NOT is_active",
            laptop.id
        ))
        .await;
    assert!(reasons.iter().all(|row| row["revoked_reason"] == "others"));
    assert_eq!(
        app.events_of_kind(&laptop, "session_revoked").await.len(),
        2
    );
}

async fn password_change_revokes_every_other_session(backend: CacheBackend) {
    let app = spawn_app(backend).await;
    let laptop = app.student().await;
    let phone = laptop.second_device().await;
    let phone_cookie = phone.cookie().unwrap();
    phone.current().await;

    let wrong = PasswordChange {
        current_password: "not my password".into(),
        new_password: "a much better passphrase".into(),
    };
    assert_error(
        laptop.post_json(paths::PASSWORD, &wrong).await,
        StatusCode::FORBIDDEN,
        ErrorCode::InvalidCredentials,
    )
    .await;
    let weak = PasswordChange {
        current_password: PASSWORD.into(),
        new_password: "short".into(),
    };
    assert_error(
        laptop.post_json(paths::PASSWORD, &weak).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::Validation,
    )
    .await;

    let change = PasswordChange {
        current_password: PASSWORD.into(),
        new_password: "a much better passphrase".into(),
    };
    assert_eq!(
        laptop.post_json(paths::PASSWORD, &change).await.status(),
        StatusCode::NO_CONTENT
    );
    laptop.current().await;
    phone.assert_signed_out(ErrorCode::SessionRevoked).await;
    // Nor can ensure bring the phone's session back.
    phone.set_cookie(&phone_cookie);
    assert_error(
        phone.post(paths::ENSURE_SESSION).await,
        StatusCode::UNAUTHORIZED,
        ErrorCode::SessionRevoked,
    )
    .await;
    // The old password no longer works; the new one does.
    let fresh = laptop.new_browser();
    assert_error(
        fresh.login_with(PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        ErrorCode::InvalidCredentials,
    )
    .await;
    assert_eq!(
        fresh.login_with("a much better passphrase").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.events_of_kind(&laptop, "password_changed").await.len(),
        1
    );
}

async fn expired_sessions_are_refused(backend: CacheBackend) {
    let app = spawn_app_with(backend, |settings| {
        settings.session_ttl = Duration::from_secs(2)
    })
    .await;
    let student = app.student().await;
    student.current().await;
    let cookie = student.cookie().unwrap();
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    // The browser drops the cookie itself (Max-Age); a client that kept it is refused.
    assert!(student.cookie().is_none());
    student.set_cookie(&cookie);
    let expired = student.get(paths::CURRENT_SESSION).await;
    assert!(clears_cookie(&expired));
    assert_error(expired, StatusCode::UNAUTHORIZED, ErrorCode::SessionExpired).await;
    assert_eq!(
        app.events_of_kind(&student, "session_expired").await.len(),
        1
    );
}

async fn idle_sessions_expire_when_configured(backend: CacheBackend) {
    let app = spawn_app_with(backend, |settings| {
        settings.idle_timeout = Some(Duration::from_secs(3600))
    })
    .await;
    let student = app.student().await;
    student.current().await;
    app.execute(&format!(
        "UPDATE user_sessions SET last_seen_at = now() - interval '2 hours' WHERE user_id = '{}'",
        student.id
    ))
    .await;
    app.forget_cached(&student).await;
    student.assert_signed_out(ErrorCode::SessionExpired).await;
}

async fn session_limit_retires_the_oldest(backend: CacheBackend) {
    let app = spawn_app_with(backend, |settings| settings.max_sessions_per_user = 2).await;
    let first = app.student().await;
    first.current().await;
    let second = first.second_device().await;
    let third = first.second_device().await;
    first.assert_signed_out(ErrorCode::SessionRevoked).await;
    second.current().await;
    assert_eq!(
        third
            .get_json::<SessionList>(paths::SESSIONS)
            .await
            .sessions
            .len(),
        2
    );
    let retired = app
        .rows(&format!(
            "SELECT revoked_reason FROM user_sessions WHERE user_id = '{}' AND NOT is_active",
            first.id
        ))
        .await;
    assert_eq!(retired, vec![json!({ "revoked_reason": "session_limit" })]);
}

async fn deactivated_users_are_refused(backend: CacheBackend) {
    let app = spawn_app(backend).await;
    let student = app.student().await;
    student.current().await;
    app.execute(&format!(
        "UPDATE users SET is_active = false WHERE id = '{}'",
        student.id
    ))
    .await;
    // What deactivation does besides the flag: drop the user's cached sessions.
    app.forget_cached(&student).await;
    student.assert_signed_out(ErrorCode::UserInactive).await;
    assert_error(
        student.login_with(PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        ErrorCode::UserInactive,
    )
    .await;
}

async fn last_seen_is_refreshed_at_most_once_a_minute(backend: CacheBackend) {
    let app = spawn_app(backend).await;
    let student = app.student().await;
    let seen = |rows: Vec<serde_json::Value>| rows[0]["last_seen_at"].as_str().unwrap().to_owned();
    let at_login = seen(app.session_rows(&student).await);
    for _ in 0..5 {
        student.current().await;
    }
    assert_eq!(
        seen(app.session_rows(&student).await),
        at_login,
        "no write per request"
    );

    app.execute(&format!(
        "UPDATE user_sessions SET last_seen_at = now() - interval '5 minutes' WHERE user_id = '{}'",
        student.id
    ))
    .await;
    let stale = seen(app.session_rows(&student).await);
    app.forget_cached(&student).await;
    student.current().await;
    // Written by the next batch, within a second (`jobs::touches::EVERY`).
    let mut refreshed = stale.clone();
    for _ in 0..150 {
        refreshed = seen(app.session_rows(&student).await);
        if refreshed != stale {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        refreshed > stale,
        "last_seen_at refreshed by the next batch ({stale} -> {refreshed})"
    );
}
