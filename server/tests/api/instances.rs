//! Several instances of one deployment: a revocation on one is refused by every other at
//! once, through the invalidation channel (Redis pub/sub, or PostgreSQL LISTEN/NOTIFY),
//! even where an instance's own memory would trust the session for another minute; and
//! an instance that stops hearing the channel stops trusting its own memory.

use std::time::{Duration, Instant};

use hallpass_server::config::{CacheBackend, Settings};
use hallpass_shared::{ErrorCode, Role, paths};
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{
    TestApp, TestUser, assert_error, private_redis::PrivateRedis, spawn_app_with,
    test_db::maintenance_url,
};

/// Entries in each instance's own memory would outlive every test: only the channel can
/// end them sooner.
fn long_memory(settings: &mut Settings) {
    settings.l1_ttl = Duration::from_secs(60);
}

/// Waits until the instance at `address` hears the channel (or no longer does).
async fn until_channel(client: &reqwest::Client, address: &str, state: &str) {
    let started = Instant::now();
    loop {
        let ready: Value = client
            .get(format!("{address}{}", paths::READYZ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if ready["invalidation"] == state {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "channel not {state} at {address}: {ready}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// `student` is signed in and served by the instance at `other`, which now holds the
/// session in its own memory (its `memory` validation count went up).
async fn served_from_memory(app: &TestApp, student: &TestUser, other: &str) {
    let there = app.via(student, other);
    for _ in 0..3 {
        assert_eq!(
            there.get(paths::CURRENT_SESSION).await.status(),
            StatusCode::OK
        );
    }
    let metrics = there.get(paths::METRICS).await.text().await.unwrap();
    assert!(
        metrics.contains(r#"hallpass_session_validations_total{outcome="valid",source="memory"}"#),
        "{metrics}"
    );
}

/// How long after `since` the instance at `other` first refuses `student`'s cookie, as
/// revoked.
async fn refused_after(student: &TestUser, since: Instant, limit: Duration) -> Duration {
    loop {
        let response = student.get(paths::CURRENT_SESSION).await;
        if response.status() == StatusCode::UNAUTHORIZED {
            let after = since.elapsed();
            assert_error(
                response,
                StatusCode::UNAUTHORIZED,
                ErrorCode::SessionRevoked,
            )
            .await;
            return after;
        }
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            since.elapsed() < limit,
            "still accepted {:?} after the revocation",
            since.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// The revocation answers only once the other instance has applied it: the very first
/// request there after the answer is refused, trial after trial.
async fn a_revocation_on_one_instance_is_refused_by_the_other_at_once(backend: CacheBackend) {
    let app = spawn_app_with(backend, long_memory).await;
    let other = app.second_instance().await;
    let admin = app.logged_in(Role::Admin).await;
    until_channel(&admin.client, &app.address, "live").await;
    until_channel(&admin.client, &other, "live").await;
    // Each has heard the other's beat by now (one every 100 ms).
    tokio::time::sleep(Duration::from_millis(300)).await;
    for trial in 0..20 {
        let student = app.student().await;
        served_from_memory(&app, &student, &other).await;
        let session = student.current().await.session;
        let revoked = admin.delete(&paths::admin_session(session.id)).await;
        assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
        let there = app.via(&student, &other).get(paths::CURRENT_SESSION).await;
        assert_eq!(there.status(), StatusCode::UNAUTHORIZED, "trial {trial}");
        assert_error(there, StatusCode::UNAUTHORIZED, ErrorCode::SessionRevoked).await;
    }
}

crate::on_every_backend!(a_revocation_on_one_instance_is_refused_by_the_other_at_once);

/// Redis hangs: the channel goes quiet, each instance stops trusting its own memory
/// (and the hung cache), and a revocation made meanwhile is refused everywhere.
#[tokio::test]
async fn a_lost_channel_bypasses_each_instances_memory_until_it_is_back() {
    let redis = PrivateRedis::start();
    let url = redis.url();
    let app = spawn_app_with(CacheBackend::Redis, |settings| {
        settings.redis_url = Some(url.into());
        long_memory(settings);
    })
    .await;
    let other = app.second_instance().await;
    let admin = app.logged_in(Role::Admin).await;
    until_channel(&admin.client, &other, "live").await;
    let student = app.student().await;
    served_from_memory(&app, &student, &other).await;
    let session = student.current().await.session;

    redis.hang();
    until_channel(&admin.client, &other, "lost").await;
    let revoked = admin.delete(&paths::admin_session(session.id)).await;
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    // The other instance asks the hung cache (one 500 ms timeout), then the database.
    let there = app.via(&student, &other);
    refused_after(&there, Instant::now(), Duration::from_secs(2)).await;

    redis.resume();
    until_channel(&admin.client, &other, "live").await;
    let cookie = student.cookie();
    assert!(cookie.is_none(), "the refusal cleared the cookie");
}

/// With `SESSION_CACHE=memory`, each instance's memory is the whole cache and PostgreSQL
/// carries the invalidations: when an instance's listening connection is killed, it
/// reconnects, flushes its memory (it may have missed a revocation), and trusts it again.
#[tokio::test]
async fn a_killed_listener_reconnects_and_flushes_the_instances_memory() {
    let app = spawn_app_with(CacheBackend::Memory, |_| {}).await;
    let other = app.second_instance().await;
    let admin = app.logged_in(Role::Admin).await;
    until_channel(&admin.client, &other, "live").await;
    let student = app.student().await;
    served_from_memory(&app, &student, &other).await;

    let database = app.db.url.rsplit('/').next().unwrap().to_owned();
    let killed = kill_listeners(&database).await;
    assert_eq!(killed, 2, "one listener per instance");
    let session = student.current().await.session;
    let revoked = admin.delete(&paths::admin_session(session.id)).await;
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    let there = app.via(&student, &other);
    refused_after(&there, Instant::now(), Duration::from_secs(1)).await;
    until_channel(&admin.client, &other, "live").await;
}

/// Terminates the listening connections of the instances on `database`; how many.
async fn kill_listeners(database: &str) -> usize {
    use diesel_async::{AsyncConnection as _, AsyncPgConnection, RunQueryDsl as _};
    let mut conn = AsyncPgConnection::establish(&maintenance_url())
        .await
        .unwrap();
    diesel::sql_query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = $1 AND application_name = 'hallpass listener'",
    )
    .bind::<diesel::sql_types::Text, _>(database)
    .execute(&mut conn)
    .await
    .unwrap()
}
