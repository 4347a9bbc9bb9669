//! Redis under Sentinel: a private master, its replica and three sentinels (Debian's
//! `redis-server --sentinel`, quorum 2). Two instances are given the sentinels, not an
//! address. The master is killed under load: the sentinels promote the replica, no
//! request is refused meanwhile (the database answers what the cache cannot), a
//! revocation made during and after the failover is refused by the other instance, the
//! cache is in use again within 2 s of the promotion, and the new master holds the
//! cache's entries.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use hallpass_server::config::{CacheBackend, SentinelSettings};
use hallpass_shared::{ErrorCode, Role, paths};
use reqwest::StatusCode;

use crate::support::{
    TestApp, TestUser,
    private_redis::{PrivateRedis, PrivateSentinels},
    spawn_app_with,
};

/// Polls `user` on `address` until the shared cache answers for them.
async fn until_served_from_cache(
    app: &TestApp,
    address: &str,
    user: &TestUser,
    limit: Duration,
) -> Duration {
    let started = Instant::now();
    while !app.served_from_cache_at(address, user).await {
        assert!(
            started.elapsed() < limit,
            "the cache was not used within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    started.elapsed()
}

/// Signs `user`'s other session out as an admin on instance A, and checks that instance B
/// refuses it at once.
async fn revoke_and_check(app: &TestApp, admin: &TestUser, other: &str, victim: &TestUser) {
    let session = victim.current().await.session.id;
    let revoked = admin.delete(&paths::admin_session(session)).await;
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    app.via(victim, other)
        .assert_signed_out(ErrorCode::SessionRevoked)
        .await;
}

#[tokio::test]
async fn a_sentinel_failover_moves_every_use_of_redis_and_refuses_no_one() {
    let mut master = PrivateRedis::start();
    let replica = master.replica();
    let sentinels = PrivateSentinels::watch(&master, "hallpass");
    let addresses = sentinels.addresses();
    let app = spawn_app_with(CacheBackend::Redis, |settings| {
        settings.redis_url = None;
        settings.redis_sentinel = Some(SentinelSettings {
            sentinels: addresses,
            master: "hallpass".into(),
            password: None,
            sentinel_password: None,
        });
        // No local tier in front: every validation asks Redis.
        settings.l1_ttl = Duration::ZERO;
    })
    .await;
    let other = app.second_instance().await;
    let admin = app.logged_in(Role::Admin).await;
    let student = app.student().await;
    until_served_from_cache(&app, &app.address, &student, Duration::from_secs(5)).await;
    until_served_from_cache(&app, &other, &student, Duration::from_secs(5)).await;

    // Under load on both instances from here on.
    let answers = Arc::new(Mutex::new(Vec::new()));
    let load = {
        let (answers, here, there) = (
            Arc::clone(&answers),
            app.via(&student, &app.address),
            app.via(&student, &other),
        );
        tokio::spawn(async move {
            loop {
                for user in [&here, &there] {
                    let status = user.get(paths::CURRENT_SESSION).await.status();
                    answers.lock().unwrap().push(status);
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;

    master.kill();
    // A revocation while the sentinels decide.
    let during = app.student().await;
    revoke_and_check(&app, &admin, &other, &during).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while sentinels.master_port() != Some(replica.port()) {
        assert!(
            Instant::now() < deadline,
            "the sentinels did not promote the replica"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let back = until_served_from_cache(&app, &app.address, &student, Duration::from_secs(2)).await;
    until_served_from_cache(&app, &other, &student, Duration::from_secs(2)).await;
    eprintln!("sentinel failover: the cache answered {back:?} after the promotion");

    // A revocation after the promotion.
    let after = app.student().await;
    revoke_and_check(&app, &admin, &other, &after).await;
    load.abort();
    let answers = answers.lock().unwrap().clone();
    assert!(
        answers.iter().all(|status| *status == StatusCode::OK),
        "refused during the failover: {:?}",
        answers
            .iter()
            .filter(|status| **status != StatusCode::OK)
            .collect::<Vec<_>>()
    );
    assert!(answers.len() > 20, "too little load: {}", answers.len());
    assert_ne!(
        replica.cli(&["DBSIZE"]),
        "0",
        "the new master holds the cache"
    );
}
