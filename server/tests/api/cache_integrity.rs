//! The shared cache is not trusted as written: an entry edited, moved or planted back by
//! whoever can write to Redis or to `session_cache` is a miss, answered from the database.

use std::time::Duration;

use hallpass_server::config::CacheBackend;
use hallpass_shared::{ErrorCode, Role, paths};
use redis::AsyncCommands as _;
use reqwest::StatusCode;

use crate::support::{REDIS_URL, TestApp, TestUser, assert_error, spawn_app_with};

/// No local tier: every request reads the shared one.
async fn app(backend: CacheBackend) -> TestApp {
    spawn_app_with(backend, |settings| settings.l1_ttl = Duration::ZERO).await
}

/// The cache key of the user's newest session.
async fn key_of(app: &TestApp, user: &TestUser) -> String {
    let rows = app.session_rows(user).await;
    let hash = rows.last().unwrap()["token_hash"]
        .as_str()
        .unwrap()
        .to_owned();
    format!("{}session:{hash}", app.settings.cache_key_prefix)
}

/// Reads and writes the shared tier as an attacker with write access would.
enum Tier {
    Redis(redis::aio::MultiplexedConnection),
    Postgres,
}

impl Tier {
    async fn of(backend: CacheBackend) -> Self {
        match backend {
            CacheBackend::Redis => Self::Redis(
                redis::Client::open(REDIS_URL)
                    .unwrap()
                    .get_multiplexed_async_connection()
                    .await
                    .unwrap(),
            ),
            _ => Self::Postgres,
        }
    }

    async fn read(&mut self, app: &TestApp, key: &str) -> String {
        match self {
            Self::Redis(redis) => redis.get::<_, Option<String>>(key).await.unwrap().unwrap(),
            Self::Postgres => app
                .rows(&format!(
                    "SELECT value FROM session_cache WHERE key = '{key}'"
                ))
                .await[0]["value"]
                .as_str()
                .unwrap()
                .to_owned(),
        }
    }

    async fn write(&mut self, app: &TestApp, key: &str, value: &str) {
        match self {
            Self::Redis(redis) => redis.set_ex::<_, _, ()>(key, value, 600).await.unwrap(),
            Self::Postgres => {
                let value = serde_json::Value::from(value)
                    .to_string()
                    .replace('\'', "''");
                app.execute(&format!(
                    "INSERT INTO session_cache (key, value, expires_at) \
                     VALUES ('{key}', '{value}', now() + interval '10 minutes') \
                     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, \
                     expires_at = EXCLUDED.expires_at"
                ))
                .await;
            }
        }
    }
}

async fn an_edited_role_is_not_believed(backend: CacheBackend) {
    let app = app(backend).await;
    let student = app.student().await;
    let key = key_of(&app, &student).await;
    let mut tier = Tier::of(backend).await;
    let entry = tier.read(&app, &key).await;
    assert!(entry.contains(r#""r":"student""#), "{entry}");
    tier.write(
        &app,
        &key,
        &entry.replace(r#""r":"student""#, r#""r":"admin""#),
    )
    .await;

    assert_error(
        student.get(paths::ADMIN_USERS).await,
        StatusCode::FORBIDDEN,
        ErrorCode::Forbidden,
    )
    .await;
    assert_eq!(student.current().await.user.role, Role::Student);
    assert_eq!(
        app.metric_at(&app.address, "hallpass_cache_forged_entries_total")
            .await,
        Some(1.0)
    );
    let refilled = tier.read(&app, &key).await;
    assert!(
        refilled.contains(r#""r":"student""#),
        "the database's answer took its place"
    );

    // An entry moved under another session's key fails too.
    let other = app.student().await;
    let other_key = key_of(&app, &other).await;
    tier.write(&app, &other_key, &refilled).await;
    assert_eq!(other.current().await.user.id, other.id);
}

#[tokio::test]
async fn an_edited_role_in_redis_is_not_believed() {
    an_edited_role_is_not_believed(CacheBackend::Redis).await;
}

#[tokio::test]
async fn an_edited_role_in_the_postgres_cache_is_not_believed() {
    an_edited_role_is_not_believed(CacheBackend::Postgres).await;
}

async fn a_revoked_entry_planted_back_is_refused(backend: CacheBackend) {
    let app = app(backend).await;
    let other_instance = app.second_instance().await;
    let student = app.student().await;
    let elsewhere = app.via(&student, &other_instance);
    assert_eq!(
        elsewhere.get(paths::CURRENT_SESSION).await.status(),
        StatusCode::OK
    );
    let key = key_of(&app, &student).await;
    let mut tier = Tier::of(backend).await;
    let entry = tier.read(&app, &key).await;
    let stolen = student.cookie().unwrap();

    assert_eq!(
        student.post(paths::LOGOUT).await.status(),
        StatusCode::NO_CONTENT
    );
    tier.write(&app, &key, &entry).await;

    for address in [&app.address, &other_instance] {
        let replayed = app.via(&app.anonymous(), address);
        replayed.set_cookie(&stolen);
        replayed.assert_signed_out(ErrorCode::SessionRevoked).await;
    }
}

#[tokio::test]
async fn a_revoked_entry_planted_back_in_redis_is_refused() {
    a_revoked_entry_planted_back_is_refused(CacheBackend::Redis).await;
}

#[tokio::test]
async fn a_revoked_entry_planted_back_in_the_postgres_cache_is_refused() {
    a_revoked_entry_planted_back_is_refused(CacheBackend::Postgres).await;
}
