//! The session token lives in the encrypted cookie and nowhere else: not in a JSON body,
//! a database row, a cache key or a cache value.

use hallpass_server::config::CacheBackend;
use hallpass_shared::{Role, paths};
use redis::AsyncCommands as _;
use sha2::{Digest, Sha256};

use crate::support::{REDIS_URL, spawn_app_with};

#[tokio::test]
async fn the_token_appears_in_no_body_row_or_cache_entry() {
    // No key prefix: the keys are exactly what operators see.
    let app = spawn_app_with(CacheBackend::Redis, |settings| {
        settings.cache_key_prefix = String::new()
    })
    .await;
    let student = app.user(Role::Student).await;
    let mut bodies = vec![student.login().await.text().await.unwrap()];
    let token = app.token_of(&student);
    assert_eq!(token.len(), 43, "256 bits, base64url");
    for path in [paths::CURRENT_SESSION, paths::SESSIONS, paths::OWN_EVENTS] {
        bodies.push(student.get(path).await.text().await.unwrap());
    }
    bodies.push(
        student
            .post(paths::ENSURE_SESSION)
            .await
            .text()
            .await
            .unwrap(),
    );
    let raw = base64_decode(&token);
    let token_hex = hex::encode(&raw);
    for body in &bodies {
        assert!(
            !body.contains(&token) && !body.contains(&token_hex),
            "token leaked into {body}"
        );
    }

    for table in [
        "users",
        "user_sessions",
        "session_events",
        "session_cache",
        "server_keys",
    ] {
        for row in app.rows(&format!("SELECT * FROM {table}")).await {
            let text = row.to_string();
            assert!(
                !text.contains(&token) && !text.contains(&token_hex),
                "token stored in {table}: {text}"
            );
        }
    }
    let hash = hex::encode(Sha256::digest(&raw));
    let stored = app.session_rows(&student).await;
    assert_eq!(
        stored[0]["token_hash"],
        hash.as_str(),
        "the database keeps only the SHA-256"
    );

    let mut redis = redis::Client::open(REDIS_URL)
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let key = format!("session:{hash}");
    let value: Option<String> = redis.get(&key).await.unwrap();
    let value = value.expect("the session is cached under session:{hash}");
    assert!(!value.contains(&token) && !value.contains(&token_hex));
    let leaked: Vec<String> = redis.keys(format!("*{token}*")).await.unwrap();
    assert!(leaked.is_empty());
}

fn base64_decode(token: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .unwrap()
}
