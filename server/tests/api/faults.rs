//! Faults: a dead cache degrades to the database and comes back by itself; a dead
//! database answers 503 and keeps the cookie, never 401.

use std::time::{Duration, Instant};

use hallpass_server::config::CacheBackend;
use hallpass_shared::{ErrorCode, Role, paths};
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{
    assert_error, clears_cookie, private_redis::PrivateRedis, spawn_app, spawn_app_with,
};

#[tokio::test]
async fn an_unreachable_redis_falls_back_to_postgres() {
    let app = spawn_app_with(CacheBackend::Redis, |settings| {
        settings.redis_url = Some("redis://127.0.0.1:1".to_owned().into())
    })
    .await;
    let student = app.student().await;
    for _ in 0..3 {
        student.current().await;
    }
    assert_eq!(
        student.post(paths::LOGOUT).await.status(),
        StatusCode::NO_CONTENT
    );
    // Degraded, not unready: the instance serves from the database.
    let ready = student.get(paths::READYZ).await;
    assert_eq!(ready.status(), StatusCode::OK);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "degraded");
    assert_eq!(body["cache"], "down");
    assert_eq!(body["database"], "ok");
    let metrics = student.get(paths::METRICS).await.text().await.unwrap();
    assert!(metrics.contains("hallpass_cache_up 0"), "{metrics}");
}

#[tokio::test]
async fn an_unreachable_database_answers_503_and_keeps_the_cookie() {
    // Redis carries the cache and the invalidations, so it keeps vouching for sessions.
    let app = spawn_app(CacheBackend::Redis).await;
    let student = app.logged_in(Role::Student).await;
    student.current().await;
    let maintenance = crate::support::test_db::maintenance_url();
    let mut conn =
        <diesel_async::AsyncPgConnection as diesel_async::AsyncConnection>::establish(&maintenance)
            .await
            .unwrap();
    let name = app.db.url.rsplit('/').next().unwrap().to_owned();
    diesel_async::RunQueryDsl::execute(
        diesel::sql_query(format!("DROP DATABASE {name} WITH (FORCE)")),
        &mut conn,
    )
    .await
    .unwrap();

    // Validation from the cache still works...
    student.current().await;
    // ...and what needs the database says "unavailable", not "log in again", and names
    // the request so an operator can find the cause in the logs.
    let listed = student.get(paths::SESSIONS).await;
    assert_eq!(listed.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(!clears_cookie(&listed));
    let request_id = listed.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let body: hallpass_shared::ErrorBody = listed.json().await.unwrap();
    assert_eq!(body.error.code, ErrorCode::Unavailable);
    assert_eq!(body.error.request_id.as_deref(), Some(request_id.as_str()));
    let login = student.new_browser().login_with("anything at all").await;
    assert_error(
        login,
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Unavailable,
    )
    .await;
    assert_eq!(
        student.get(paths::READYZ).await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
}

#[tokio::test]
async fn an_exhausted_pool_answers_503_quickly() {
    let app = spawn_app_with(CacheBackend::Memory, |settings| {
        settings.db_pool_size = 1;
        settings.db_pool_timeout = std::time::Duration::from_millis(200);
    })
    .await;
    let student = app.student().await;
    let held = app.state.domain.store.pool().get().await.unwrap();
    let started = std::time::Instant::now();
    assert_error(
        student.get(paths::SESSIONS).await,
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Unavailable,
    )
    .await;
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "answered without hanging"
    );
    drop(held);
    assert_eq!(student.get(paths::SESSIONS).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_corrupt_cache_entry_is_a_miss_and_gets_replaced() {
    use redis::AsyncCommands as _;
    // No local tier in front: every validation reads Redis.
    let app = spawn_app_with(CacheBackend::Redis, |settings| {
        settings.l1_ttl = Duration::ZERO;
    })
    .await;
    let student = app.logged_in(Role::Student).await;
    let hash = app.session_rows(&student).await[0]["token_hash"]
        .as_str()
        .unwrap()
        .to_owned();
    let key = format!("{}session:{hash}", app.settings.cache_key_prefix);
    let mut redis = redis::Client::open(crate::support::REDIS_URL)
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let _: () = redis.set(&key, "{\"v\":0,\"not\":\"ours\"}").await.unwrap();

    student.current().await;
    let replaced: String = redis.get(&key).await.unwrap();
    assert!(replaced.contains("\"v\":2"), "{replaced}");
}

/// Killing every client connection of a healthy Redis (`CLIENT KILL TYPE normal`, as a
/// Redis restart or a network reset would) costs a moment of database fallback, never a
/// 401, and the cache comes back by itself: a probe finds it answering again, and cache
/// hits resume within a second.
#[tokio::test]
async fn the_cache_comes_back_within_a_second_after_its_connections_are_killed() {
    let redis = PrivateRedis::start();
    // No local tier in front: a hit shows that Redis itself answers again.
    let app = spawn_app_with(CacheBackend::Redis, |settings| {
        settings.redis_url = Some(redis.url().into());
        settings.l1_ttl = Duration::ZERO;
    })
    .await;
    let student = app.logged_in(Role::Student).await;
    student.current().await;
    assert_ne!(redis.cli(&["CLIENT", "KILL", "TYPE", "normal"]), "0");

    let started = Instant::now();
    loop {
        assert_eq!(
            student.get(paths::CURRENT_SESSION).await.status(),
            StatusCode::OK
        );
        let ready: Value = student.get(paths::READYZ).await.json().await.unwrap();
        if ready["cache"] == "ok" && app.served_from_cache(&student).await {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "the cache did not come back within a second: {ready}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A query the database cancels for running past `statement_timeout` (here: waiting on a
/// table another transaction has locked) is a 503 to retry, never a 500.
#[tokio::test]
async fn a_statement_timeout_is_a_503_with_retry_after() {
    use diesel_async::{AsyncConnection as _, AsyncPgConnection, RunQueryDsl as _};
    let app = spawn_app(CacheBackend::Memory).await;
    let student = app.logged_in(Role::Student).await;
    let mut locker = AsyncPgConnection::establish(&app.db.url).await.unwrap();
    diesel::sql_query("BEGIN")
        .execute(&mut locker)
        .await
        .unwrap();
    diesel::sql_query("LOCK TABLE user_sessions IN ACCESS EXCLUSIVE MODE")
        .execute(&mut locker)
        .await
        .unwrap();
    let response = student.get(paths::SESSIONS).await;
    assert_eq!(response.headers()["retry-after"], "1");
    assert_error(
        response,
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Unavailable,
    )
    .await;
    diesel::sql_query("ROLLBACK")
        .execute(&mut locker)
        .await
        .unwrap();
    assert_eq!(student.get(paths::SESSIONS).await.status(), StatusCode::OK);
}

/// A revocation made while the shared Redis hangs cannot fence the other instance's
/// cached copy; the fence is delivered within the replay job's period (200 ms) of Redis
/// answering again, even with no request on the instance that revoked. Without the
/// replay the other instance would serve the revoked session from Redis until the entry
/// expired, a minute later.
#[tokio::test]
async fn a_revocation_made_while_redis_hangs_reaches_the_other_instance_when_it_returns() {
    let redis = PrivateRedis::start();
    let app = spawn_app_with(CacheBackend::Redis, |settings| {
        settings.redis_url = Some(redis.url().into());
    })
    .await;
    let student = app.logged_in(Role::Student).await;
    let other_instance = app.second_instance().await;
    let on_other = app.via(&student, &other_instance);
    on_other.current().await;
    assert!(
        redis
            .cli(&["--scan", "--pattern", "*session:*"])
            .lines()
            .count()
            >= 1,
        "the session is cached in Redis"
    );

    let cookie = student.cookie().unwrap();
    redis.hang();
    assert_eq!(
        student.post(paths::LOGOUT).await.status(),
        StatusCode::NO_CONTENT
    );
    redis.resume();

    // After one replay period, the dead cookie replayed on the other instance for longer
    // than a breaker's backoff is refused every time.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let replayed = app.via(&app.anonymous(), &other_instance);
    replayed.set_cookie(&cookie);
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(7) {
        assert_eq!(
            replayed.get(paths::CURRENT_SESSION).await.status(),
            StatusCode::UNAUTHORIZED
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
