//! Two instances behind a real load balancer (nginx, round robin), as a district runs
//! them: one session served by both, refused by both the moment it is revoked, and a
//! rolling restart under load that fails no request and signs nobody out.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::Duration,
};

use hallpass_server::config::{CacheBackend, Settings};
use hallpass_shared::{Role, paths};
use reqwest::StatusCode;

use crate::support::{
    SECRET, TestApp, TestUser, nginx::PrivateNginx, private_redis::PrivateRedis,
    server_process::ServerProcess, spawn_app_with,
};

/// nginx runs on loopback: its `X-Forwarded-For` is believed.
fn behind_loopback_proxy(settings: &mut Settings) {
    settings.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
}

/// How many requests for `route` the instance at `address` answered with `status`.
async fn answered(address: &str, route: &str, status: u16) -> f64 {
    let text = reqwest::get(format!("{address}{}", paths::METRICS))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let series = format!(
        r#"hallpass_http_requests_total{{method="GET",route="{route}",status="{status}"}} "#
    );
    text.lines()
        .find_map(|line| line.strip_prefix(&series))
        .map_or(0.0, |value| value.parse().unwrap())
}

#[tokio::test]
async fn both_instances_serve_one_session_and_refuse_it_together_once_revoked() {
    let app = spawn_app_with(CacheBackend::Redis, behind_loopback_proxy).await;
    let other = app.second_instance().await;
    let strip = |url: &str| url.trim_start_matches("http://").to_owned();
    let balancer = PrivateNginx::load_balancer(&[strip(&app.address), strip(&other)]);
    let student = app.user(Role::Student).await;
    let student = app.via(&student, &balancer.url());
    assert_eq!(student.login().await.status(), StatusCode::OK);

    for _ in 0..6 {
        assert_eq!(
            student.get(paths::CURRENT_SESSION).await.status(),
            StatusCode::OK
        );
    }
    for address in [&app.address, &other] {
        assert!(
            answered(address, paths::CURRENT_SESSION, 200).await >= 1.0,
            "round robin reached {address}"
        );
    }

    let cookie = student.cookie().unwrap();
    assert_eq!(
        student.post(paths::LOGOUT).await.status(),
        StatusCode::NO_CONTENT
    );
    for _ in 0..6 {
        student.set_cookie(&cookie);
        assert_eq!(
            student.get(paths::CURRENT_SESSION).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    for address in [&app.address, &other] {
        assert!(
            answered(address, paths::CURRENT_SESSION, 401).await >= 1.0,
            "{address} refused the revoked cookie"
        );
    }
}

/// What the clients saw during the restart.
#[derive(Default)]
struct Tally {
    served: AtomicUsize,
    signed_out: AtomicUsize,
    failed: AtomicUsize,
}

/// Validates (and now and then ensures) `student`'s session through the balancer until
/// `stop`, counting every answer.
async fn keep_busy(student: TestUser, tally: Arc<Tally>, stop: Arc<AtomicBool>) {
    let mut n = 0_u32;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let answer = if n.is_multiple_of(5) {
            student
                .client
                .post(student.url(paths::ENSURE_SESSION))
                .send()
                .await
        } else {
            student
                .client
                .get(student.url(paths::CURRENT_SESSION))
                .send()
                .await
        };
        let counter = match answer.map(|response| response.status()) {
            Ok(StatusCode::OK) => &tally.served,
            Ok(StatusCode::UNAUTHORIZED) => &tally.signed_out,
            Ok(_) | Err(_) => &tally.failed,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::test]
async fn a_rolling_restart_behind_nginx_fails_no_request_and_signs_nobody_out() {
    let redis = PrivateRedis::start();
    let redis_url = redis.url();
    let app: TestApp = spawn_app_with(CacheBackend::Redis, |settings| {
        settings.redis_url = Some(redis_url.clone().into());
    })
    .await;
    let env = [
        ("DATABASE_URL", app.db.url.as_str()),
        ("REDIS_URL", redis_url.as_str()),
        ("SESSION_SECRET", SECRET),
        ("TRUSTED_PROXIES", "127.0.0.1/32"),
        ("SHUTDOWN_TIMEOUT", "10s"),
        ("RUST_LOG", "warn"),
    ];
    let mut servers = [
        ServerProcess::start(&env).await,
        ServerProcess::start(&env).await,
    ];
    let balancer = PrivateNginx::load_balancer(&[servers[0].address(), servers[1].address()]);

    let tally = Arc::new(Tally::default());
    let stop = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::new();
    for _ in 0..6 {
        let student = app.user(Role::Student).await;
        let student = app.via(&student, &balancer.url());
        assert_eq!(student.login().await.status(), StatusCode::OK);
        clients.push(tokio::spawn(keep_busy(
            student,
            Arc::clone(&tally),
            Arc::clone(&stop),
        )));
    }

    for server in &mut servers {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let exit = server.terminate().await;
        assert!(exit.success(), "SIGTERM ends the server cleanly: {exit}");
        server.restart().await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    for client in clients {
        client.await.unwrap();
    }

    let (served, signed_out, failed) = (
        tally.served.load(Ordering::Relaxed),
        tally.signed_out.load(Ordering::Relaxed),
        tally.failed.load(Ordering::Relaxed),
    );
    assert!(served > 100, "only {served} requests served");
    assert_eq!((signed_out, failed), (0, 0), "{served} served");
}
