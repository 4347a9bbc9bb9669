//! The database hangs, crashes and comes back, on a private PostgreSQL cluster of the
//! test's own: requests answer 503 by the deadline (never hang, never 401, the cookie
//! kept), a database refusing connections is refused at once rather than after the pool
//! timeout, recovery needs no restart, and nothing written is lost.

use std::time::{Duration, Instant};

use hallpass_server::config::{CacheBackend, Settings};
use hallpass_shared::{SessionList, paths};
use reqwest::StatusCode;

use crate::support::{
    TestApp, TestUser, clears_cookie, json, private_postgres::PrivatePostgres, spawn_app_with,
};

/// An instance on the private cluster, with its cache (and its invalidation channel) in
/// Redis, which the faults leave alone.
async fn app_on(postgres: &PrivatePostgres, tweak: impl FnOnce(&mut Settings)) -> TestApp {
    let url = postgres.url("hallpass");
    spawn_app_with(CacheBackend::Redis, |settings| {
        settings.database_url = url.into();
        tweak(settings);
    })
    .await
}

/// Polls a request that needs the database until it answers 200; how long that took.
async fn until_served(student: &TestUser, limit: Duration) -> Duration {
    let started = Instant::now();
    loop {
        if student.get(paths::SESSIONS).await.status() == StatusCode::OK {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < limit,
            "not served again within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A 503 that keeps the session: `Retry-After` says when, and the cookie stays.
fn assert_retry_later(response: &reqwest::Response) {
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()["retry-after"], "1");
    assert!(!clears_cookie(response), "the cookie is kept");
}

#[tokio::test]
async fn a_hung_database_is_a_503_by_the_deadline_and_nothing_is_lost() {
    let postgres = PrivatePostgres::start();
    let app = app_on(&postgres, |settings| {
        settings.db_pool_timeout = Duration::from_millis(500);
        settings.db_query_timeout = Duration::from_secs(1);
    })
    .await;
    let student = app.student().await;
    let other_device = student.second_device().await;

    postgres.hang();
    let started = Instant::now();
    let listing = student.get(paths::SESSIONS).await;
    let waited = started.elapsed();
    assert_retry_later(&listing);
    // The deadline is 1.5 s; without one this request waits as long as the hang lasts.
    assert!(waited < Duration::from_secs(4), "waited {waited:?}");
    // A revocation asked for during the hang is refused for now...
    let revoke = student.post(paths::REVOKE_OTHER_SESSIONS).await;
    assert_retry_later(&revoke);
    // ...while sessions the cache vouches for are still served.
    assert_eq!(
        student.get(paths::CURRENT_SESSION).await.status(),
        StatusCode::OK
    );

    postgres.resume();
    until_served(&student, Duration::from_secs(5)).await;
    // The revocation either ran to completion once the database answered (its task was
    // not dropped with the request) or never started: the other device is signed out
    // with its tombstone and audit event, or still fully valid; nothing in between.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let sessions: SessionList = json(student.get(paths::SESSIONS).await).await;
    let other = other_device.get(paths::CURRENT_SESSION).await.status();
    let revoked = app.events_of_kind(&student, "session_revoked").await.len();
    match sessions.sessions.len() {
        1 => assert_eq!((other, revoked), (StatusCode::UNAUTHORIZED, 1)),
        2 => assert_eq!((other, revoked), (StatusCode::OK, 0)),
        n => panic!("{n} sessions"),
    }
}

#[tokio::test]
async fn a_database_refusing_connections_is_a_503_at_once_and_recovery_needs_no_restart() {
    let mut postgres = PrivatePostgres::start();
    // A long pool timeout: a request that waited for it would show.
    let app = app_on(&postgres, |settings| {
        settings.db_pool_timeout = Duration::from_secs(5);
    })
    .await;
    let student = app.student().await;

    postgres.crash();
    // The first requests find the pool's connections dead; after that, connecting is
    // refused, and requests are refused without waiting for the pool.
    let mut slowest_after_warmup = Duration::ZERO;
    for attempt in 0..12 {
        let started = Instant::now();
        let response = student.get(paths::SESSIONS).await;
        assert_retry_later(&response);
        if attempt >= 4 {
            slowest_after_warmup = slowest_after_warmup.max(started.elapsed());
        }
    }
    assert!(
        slowest_after_warmup < Duration::from_millis(2_500),
        "requests waited for the pool: {slowest_after_warmup:?}"
    );
    assert_eq!(
        student.get(paths::READYZ).await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );

    postgres.restart();
    until_served(&student, Duration::from_secs(5)).await;
    assert_eq!(student.get(paths::READYZ).await.status(), StatusCode::OK);
    assert_eq!(
        student.get(paths::CURRENT_SESSION).await.status(),
        StatusCode::OK,
        "the session outlived the crash"
    );
}

/// With `SESSION_CACHE=memory`, revocations made on other instances travel through
/// PostgreSQL: while it hangs, an instance cannot hear them, so it stops trusting its own
/// memory and answers 503 (keeping the cookie), and serves the session again once the
/// database answers.
#[tokio::test]
async fn with_the_cache_in_memory_a_hung_database_stops_it_being_trusted() {
    let postgres = PrivatePostgres::start();
    let url = postgres.url("hallpass");
    let app = spawn_app_with(CacheBackend::Memory, |settings| {
        settings.database_url = url.into();
        settings.db_pool_timeout = Duration::from_millis(500);
        settings.db_query_timeout = Duration::from_secs(1);
    })
    .await;
    let student = app.student().await;
    assert_eq!(
        student.get(paths::CURRENT_SESSION).await.status(),
        StatusCode::OK
    );

    postgres.hang();
    // Past the channel's beat timeout (1 s), the memory is no longer trusted.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_retry_later(&student.get(paths::CURRENT_SESSION).await);

    postgres.resume();
    let started = Instant::now();
    while student.get(paths::CURRENT_SESSION).await.status() != StatusCode::OK {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "not served again"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A private primary, its streaming standby, and an instance whose `DATABASE_URL` names
/// both (libpq's multi-host syntax, `target_session_attrs=read-write`).
async fn on_primary_and_standby() -> (PrivatePostgres, PrivatePostgres, TestApp) {
    let primary = PrivatePostgres::start();
    let standby = primary.standby();
    let url = format!(
        "postgres://postgres@127.0.0.1:{},127.0.0.1:{}/hallpass?target_session_attrs=read-write",
        primary.port(),
        standby.port()
    );
    let app = spawn_app_with(CacheBackend::Redis, |settings| {
        settings.database_url = url.into();
    })
    .await;
    (primary, standby, app)
}

/// A switchover: `DATABASE_URL` names the primary and its standby (libpq's multi-host
/// syntax, `target_session_attrs=read-write`); the primary is stopped and the standby
/// promoted. Meanwhile what needs the database answers 503 (never a 500, never a 401)
/// and sessions the cache vouches for are still served; afterwards the instance writes
/// to the new primary without a restart, within 5 s, and no session or audit row written
/// before the switchover is missing.
#[tokio::test]
async fn a_switchover_to_a_promoted_standby_needs_no_restart_and_loses_nothing() {
    let (mut primary, standby, app) = on_primary_and_standby().await;
    let student = app.student().await;
    let other_device = student.second_device().await;
    let ids = |table: &'static str| {
        let app = &app;
        async move {
            let rows = app.rows(&format!("SELECT id FROM {table}")).await;
            rows.into_iter()
                .map(|row| row["id"].as_str().unwrap().to_owned())
                .collect::<std::collections::HashSet<String>>()
        }
    };
    let written = (ids("user_sessions").await, ids("session_events").await);

    primary.stop();
    let switched = Instant::now();
    let mut answers = Vec::new();
    for _ in 0..10 {
        answers.push(student.get(paths::SESSIONS).await.status());
        answers.push(student.get(paths::CURRENT_SESSION).await.status());
    }
    standby.promote();
    let healed = until_served(&student, Duration::from_secs(5)).await;
    assert!(
        answers
            .iter()
            .all(|status| [StatusCode::OK, StatusCode::SERVICE_UNAVAILABLE].contains(status)),
        "{answers:?}"
    );
    assert!(
        answers.contains(&StatusCode::SERVICE_UNAVAILABLE),
        "the database was needed and missing: {answers:?}"
    );
    eprintln!(
        "switchover: served again {healed:?} after the promotion, {:?} after the stop",
        switched.elapsed()
    );

    // Writes go to the new primary: a sign-in, a revocation.
    let late = app.student().await;
    assert_eq!(
        other_device
            .post(paths::REVOKE_OTHER_SESSIONS)
            .await
            .status(),
        StatusCode::OK
    );
    student
        .assert_signed_out(hallpass_shared::ErrorCode::SessionRevoked)
        .await;
    assert_eq!(
        late.get(paths::CURRENT_SESSION).await.status(),
        StatusCode::OK
    );
    let kept = (ids("user_sessions").await, ids("session_events").await);
    assert!(written.0.is_subset(&kept.0), "a session row was lost");
    assert!(written.1.is_subset(&kept.1), "an audit row was lost");
    assert!(
        kept.1.len() > written.1.len(),
        "the sign-in after it was audited"
    );
}

/// A switchover where the old primary is fenced rather than stopped
/// (`default_transaction_read_only = on`, as switchover tools do): the pool's connections
/// to it now fail every write with "read-only transaction". Those requests answer 503,
/// never 500; the connections are discarded rather than reused, and the instance writes
/// to the promoted standby within 5 s, without a restart.
#[tokio::test]
async fn connections_left_on_a_fenced_old_primary_are_discarded_not_reused() {
    use diesel_async::{AsyncConnection as _, AsyncPgConnection, RunQueryDsl as _};
    let (primary, standby, app) = on_primary_and_standby().await;
    let student = app.student().await;
    // Several pooled connections on the primary.
    for _ in 0..4 {
        student.second_device().await;
    }
    let pupil = app.user(hallpass_shared::Role::Student).await;

    let mut admin = AsyncPgConnection::establish(&primary.url("postgres"))
        .await
        .unwrap();
    for statement in [
        "ALTER SYSTEM SET default_transaction_read_only = on",
        "SELECT pg_reload_conf()",
    ] {
        diesel::sql_query(statement)
            .execute(&mut admin)
            .await
            .unwrap();
    }
    standby.promote();

    let started = Instant::now();
    let mut answers = Vec::new();
    loop {
        let status = pupil.login_with(crate::support::PASSWORD).await.status();
        answers.push(status);
        if status == StatusCode::OK {
            break;
        }
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{answers:?}");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "still no write after 5 s: {answers:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let written: Vec<serde_json::Value> = app
        .rows("SELECT pg_is_in_recovery() AS standby, current_setting('port') AS port")
        .await;
    assert_eq!(
        written[0]["port"],
        standby.port().to_string(),
        "on the new primary"
    );
}
