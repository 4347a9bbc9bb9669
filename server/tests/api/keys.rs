//! Cookie keys live outside the database: `serve` needs one configured, keys rotate
//! without logging anyone out, instances with unrelated keys refuse to start, and nothing
//! the database holds can mint a session.

use actix_web::cookie::Key;
use chrono::{Duration, Utc};
use hallpass_server::{config::CacheBackend, startup::Application};
use hallpass_shared::{EnsureResponse, ErrorCode, Role, paths};
use reqwest::StatusCode;

use crate::support::{SECRET, TestDatabase, assert_error, json, key_of, settings, spawn_app};

const NEW_SECRET: &str = "rotated-rotated-rotated-rotated-rotated-rotated-rotated-0123";
const UNRELATED_SECRET: &str = "somebody-else-somebody-else-somebody-else-somebody-else";

#[tokio::test]
async fn serving_needs_a_configured_key() {
    let db = TestDatabase::new().await;
    let mut settings = settings(CacheBackend::Memory, &db);
    settings.session_secrets.clear();
    let refused = Application::build(settings).await.err().expect("refused");
    assert!(refused.to_string().contains("SESSION_SECRET"), "{refused}");
}

#[tokio::test]
async fn the_database_holds_a_fingerprint_and_unrelated_keys_refuse_to_start() {
    let app = spawn_app(CacheBackend::Memory).await;
    let refused = app
        .instance_with(|settings| settings.session_secrets = vec![UNRELATED_SECRET.into()])
        .await
        .expect_err("an instance with unrelated keys refuses to start");
    assert!(refused.to_string().contains("SESSION_SECRET"), "{refused}");
    let stored = app
        .rows("SELECT octet_length(fingerprint) AS bytes FROM cookie_key_fingerprint")
        .await;
    assert_eq!(stored, [serde_json::json!({ "bytes": 32 })]);
    assert_eq!(
        app.rows("SELECT name FROM server_keys").await,
        [serde_json::json!({ "name": "stable_secret" })],
        "the stable secret, sealed (the database holds no key that opens a cookie)"
    );
}

#[tokio::test]
async fn rotating_keys_logs_nobody_out() {
    let app = spawn_app(CacheBackend::Memory).await;
    let student = app.student().await;
    let sealed_with_old = student.cookie().unwrap();
    let (old, new) = (key_of(SECRET), key_of(NEW_SECRET));

    // Step 1: every instance gets the new key first, the old one after it.
    let rotated = app
        .instance_with(|settings| {
            settings.session_secrets = vec![NEW_SECRET.into(), SECRET.into()];
        })
        .await
        .unwrap();
    let on_rotated = app.via(&student, &rotated);
    assert_eq!(
        on_rotated.get(paths::CURRENT_SESSION).await.status(),
        StatusCode::OK
    );
    let resealed = student.cookie().unwrap();
    assert!(app.open_cookie(&new, &resealed).is_some(), "resealed");
    assert!(app.open_cookie(&old, &resealed).is_none());
    assert_eq!(
        app.open_cookie(&new, &resealed).unwrap()["token"],
        app.open_cookie(&old, &sealed_with_old).unwrap()["token"],
        "same session, same token"
    );

    // Step 2, a session lifetime later: the old key is dropped.
    let new_only = app
        .instance_with(|settings| settings.session_secrets = vec![NEW_SECRET.into()])
        .await
        .unwrap();
    let on_new_only = app.via(&student, &new_only);
    assert_eq!(
        on_new_only.get(paths::CURRENT_SESSION).await.status(),
        StatusCode::OK
    );
    on_new_only.set_cookie(&sealed_with_old);
    assert_error(
        on_new_only.get(paths::CURRENT_SESSION).await,
        StatusCode::UNAUTHORIZED,
        ErrorCode::SessionInvalid,
    )
    .await;
}

#[tokio::test]
async fn the_key_an_earlier_version_stored_opens_recorded_sessions_only() {
    let app = spawn_app(CacheBackend::Memory).await;
    let student = app.student().await;
    let admin = app.user(Role::Admin).await;
    // An upgrade from a version that kept its generated key in the database.
    let retired = [7u8; 64];
    app.execute(&format!(
        "INSERT INTO server_keys (name, secret) \
         VALUES ('retired_session_cookie', '\\x{}')",
        hex::encode(retired)
    ))
    .await;
    let upgraded = app.instance_with(|_| {}).await.unwrap();
    let retired = Key::from(&retired);

    // The student's cookie as that version sealed it (no recorded lifetime) still
    // works, and comes back sealed with SESSION_SECRET.
    let mut fields = app
        .open_cookie(&key_of(SECRET), &student.cookie().unwrap())
        .unwrap();
    fields.remove("lifetime");
    let student = app.via(&student, &upgraded);
    student.set_cookie(&app.seal_cookie(&retired, &fields));
    assert_eq!(
        student.get(paths::CURRENT_SESSION).await.status(),
        StatusCode::OK
    );
    assert!(
        app.open_cookie(&key_of(SECRET), &student.cookie().unwrap())
            .is_some()
    );

    // Whoever read that key from a backup cannot mint an admin session with it...
    let forged = app.claim_fields(admin.id, Utc::now(), Some(30 * 86_400));
    let intruder = app.via(&app.anonymous(), &upgraded);
    intruder.set_cookie(&app.seal_cookie(&retired, &forged));
    assert_error(
        intruder.post(paths::ENSURE_SESSION).await,
        StatusCode::UNAUTHORIZED,
        ErrorCode::SessionInvalid,
    )
    .await;
    assert!(app.session_rows(&admin).await.is_empty());
    // ...while the same claim sealed with the configured key would be recorded.
    intruder.set_cookie(&app.seal_cookie(&key_of(SECRET), &forged));
    let ensured: EnsureResponse = json(intruder.post(paths::ENSURE_SESSION).await).await;
    assert!(ensured.created);
}

#[tokio::test]
async fn ensure_keeps_the_lifetime_the_cookie_was_minted_with() {
    // SESSION_TTL is 30 days now; the cookies below were minted under other settings.
    let app = spawn_app(CacheBackend::Memory).await;
    let student = app.user(Role::Student).await;
    let key = key_of(SECRET);
    let two_days_ago = Utc::now() - Duration::days(2);

    // Minted for one day, two days ago: raising the TTL does not bring it back.
    let minted_for_a_day = app.claim_fields(student.id, two_days_ago, Some(86_400));
    student.set_cookie(&app.seal_cookie(&key, &minted_for_a_day));
    assert_error(
        student.post(paths::ENSURE_SESSION).await,
        StatusCode::UNAUTHORIZED,
        ErrorCode::SessionExpired,
    )
    .await;
    // No recorded lifetime: it proves a recorded session, and cannot get one recorded.
    let unrecorded = app.claim_fields(student.id, Utc::now(), None);
    student.set_cookie(&app.seal_cookie(&key, &unrecorded));
    assert_error(
        student.post(paths::ENSURE_SESSION).await,
        StatusCode::UNAUTHORIZED,
        ErrorCode::SessionInvalid,
    )
    .await;
    assert!(app.session_rows(&student).await.is_empty());

    // Minted for three days, two days ago: recorded, expiring when the cookie does.
    let minted_for_three_days = app.claim_fields(student.id, two_days_ago, Some(3 * 86_400));
    student.set_cookie(&app.seal_cookie(&key, &minted_for_three_days));
    let ensured: EnsureResponse = json(student.post(paths::ENSURE_SESSION).await).await;
    assert!(ensured.created);
    let expiry = two_days_ago + Duration::days(3);
    let rows = app.session_rows(&student).await;
    let recorded: chrono::DateTime<Utc> =
        serde_json::from_value(rows[0]["expires_at"].clone()).unwrap();
    assert!(
        (recorded - expiry).num_milliseconds().abs() < 1,
        "{recorded} vs {expiry}"
    );
}
