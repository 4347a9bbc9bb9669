//! Login defence: attempts take their slot atomically before the password is checked,
//! failures slow the account wherever they come from, a known device is judged on its
//! own, counters are shared by instances, hostile input is refused (422) before any work, and
//! no attempted email reaches the logs.

use futures_util::future::join_all;
use hallpass_server::config::{CacheBackend, Settings};
use hallpass_shared::{ErrorCode, LoginRequest, PasswordChange, Role, paths};
use reqwest::StatusCode;

use crate::support::{
    PASSWORD, SECRET, TestApp, TestUser, assert_error, server_process::ServerProcess,
    spawn_app_with,
};

const LIMIT: u32 = 3;
const NEW_SECRET: &str = "rotated-rotated-rotated-rotated-rotated-rotated-rotated-0123";

async fn app(backend: CacheBackend, tweak: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_app_with(backend, |settings| {
        settings.login_max_failures = LIMIT;
        settings.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        tweak(settings);
    })
    .await
}

/// A login for `user`'s email with `password`, as if from `address` (through the
/// trusted proxy).
async fn login_from(user: &TestUser, password: &str, address: &str) -> reqwest::Response {
    let body = LoginRequest {
        email: user.email.clone(),
        password: password.to_owned(),
        token: false,
        shared_device: false,
    };
    user.client
        .post(user.url(paths::LOGIN))
        .header("x-forwarded-for", address)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// How many of `user`'s failed logins reached the password check (refusals by the
/// throttle are audited without a user).
async fn password_checks(app: &TestApp, user: &TestUser) -> usize {
    app.events_of_kind(user, "login_failed").await.len()
}

async fn parallel_guesses_get_no_more_than_the_limit_of_password_checks(backend: CacheBackend) {
    let app = app(backend, |_| {}).await;
    let student = app.user(Role::Student).await;
    let guesses = (0..50).map(|_| login_from(&student, "wrong password!", "192.0.2.7"));
    let statuses: Vec<StatusCode> = join_all(guesses)
        .await
        .iter()
        .map(reqwest::Response::status)
        .collect();
    let checked = statuses
        .iter()
        .filter(|status| **status == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|status| **status == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((checked, refused), (LIMIT as usize, 50 - LIMIT as usize));
    assert_eq!(password_checks(&app, &student).await, LIMIT as usize);
    // The refusals of the flood are audited once, not 47 times.
    let throttled = app
        .rows("SELECT * FROM session_events WHERE detail->>'reason' = 'rate_limited'")
        .await;
    assert_eq!(throttled.len(), 1);
}

async fn failures_from_many_addresses_slow_the_account(backend: CacheBackend) {
    let app = app(backend, |_| {}).await;
    let student = app.user(Role::Student).await;
    for n in 0..LIMIT {
        let guess = login_from(&student, "wrong password!", &format!("198.51.100.{n}")).await;
        assert_eq!(guess.status(), StatusCode::UNAUTHORIZED);
    }
    let right_password_elsewhere = login_from(&student, PASSWORD, "203.0.113.99").await;
    let retry_after: u64 = right_password_elsewhere.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&retry_after), "{retry_after}");
    assert_error(
        right_password_elsewhere,
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::RateLimited,
    )
    .await;
}

async fn a_flood_cannot_keep_a_known_device_out(backend: CacheBackend) {
    let app = app(backend, |_| {}).await;
    let victim = app.user(Role::Student).await;
    assert_eq!(
        login_from(&victim, PASSWORD, "192.0.2.1").await.status(),
        StatusCode::OK,
        "an earlier login leaves the device cookie"
    );
    // A classmate behind the school's address floods made-up emails and the victim's.
    let classmate = app.anonymous();
    for n in 0..LIMIT * 20 {
        let made_up = classmate.typing(&format!("nobody{n}@school.example.org"));
        login_from(&made_up, "guess", "192.0.2.1").await;
    }
    let as_victim = classmate.typing(&victim.email);
    for _ in 0..LIMIT {
        login_from(&as_victim, "guess", "192.0.2.1").await;
    }
    assert_eq!(
        login_from(&as_victim, PASSWORD, "192.0.2.1").await.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "a browser without the device cookie waits"
    );
    let on_known_device = login_from(&victim, PASSWORD, "192.0.2.1").await;
    assert_eq!(on_known_device.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_throttled_address_adds_one_audit_row_however_many_emails_it_tries() {
    let app = app(CacheBackend::Redis, |_| {}).await;
    let attacker = app.anonymous();
    // Past the address's limit (twenty times the account's), every made-up email is
    // refused by the throttle before any password check.
    for n in 0..LIMIT * 20 + 200 {
        let made_up = attacker.typing(&format!("nobody{n}@school.example.org"));
        login_from(&made_up, "guess", "192.0.2.66").await;
    }
    let refusals = app
        .rows(
            "SELECT id FROM session_events WHERE kind = 'login_failed' \
             AND detail->>'reason' = 'rate_limited'",
        )
        .await;
    assert_eq!(refusals.len(), 1);
}

#[tokio::test]
async fn a_login_flood_cannot_keep_a_signed_in_user_from_changing_their_password() {
    let app = app(CacheBackend::Redis, |_| {}).await;
    let student = app.student().await;
    let flood = app.anonymous().typing(&student.email);
    for _ in 0..LIMIT + 1 {
        login_from(&flood, "guess", "192.0.2.9").await;
    }
    let change = |current: &str| PasswordChange {
        current_password: current.to_owned(),
        new_password: "a much better passphrase".into(),
    };
    // Guesses from the session itself are counted on the session's own counter.
    for _ in 0..LIMIT {
        assert_error(
            student.post_json(paths::PASSWORD, &change("not it!")).await,
            StatusCode::FORBIDDEN,
            ErrorCode::InvalidCredentials,
        )
        .await;
    }
    assert_eq!(
        student
            .post_json(paths::PASSWORD, &change(PASSWORD))
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS,
        "a stolen session cannot guess on"
    );

    let other = app.student().await;
    let flood = app.anonymous().typing(&other.email);
    for _ in 0..LIMIT + 1 {
        login_from(&flood, "guess", "192.0.2.9").await;
    }
    assert_eq!(
        login_from(&flood, PASSWORD, "192.0.2.9").await.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the account is locked for sign-ins"
    );
    assert_eq!(
        other
            .post_json(paths::PASSWORD, &change(PASSWORD))
            .await
            .status(),
        StatusCode::NO_CONTENT,
        "its signed-in owner still changes the password"
    );
}

#[tokio::test]
async fn a_key_rotation_keeps_every_lockout_and_every_device() {
    let app = app(CacheBackend::Redis, |_| {}).await;
    let (locked_out, victim) = (app.user(Role::Student).await, app.user(Role::Student).await);
    assert_eq!(
        login_from(&victim, PASSWORD, "192.0.2.1").await.status(),
        StatusCode::OK,
        "the victim's browser gets its device cookie"
    );
    let flood = |user: &TestUser| app.anonymous().typing(&user.email);
    for user in [&locked_out, &victim] {
        for _ in 0..LIMIT {
            login_from(&flood(user), "guess", "192.0.2.9").await;
        }
    }

    for keys in [vec![NEW_SECRET, SECRET], vec![NEW_SECRET]] {
        let rotated = app
            .instance_with(|settings| {
                settings.session_secrets = keys.iter().map(|key| (*key).into()).collect();
            })
            .await
            .unwrap();
        assert_eq!(
            login_from(
                &app.via(&flood(&locked_out), &rotated),
                PASSWORD,
                "192.0.2.9"
            )
            .await
            .status(),
            StatusCode::TOO_MANY_REQUESTS,
            "still locked out after rotating to {keys:?}"
        );
        assert_eq!(
            login_from(&app.via(&victim, &rotated), PASSWORD, "192.0.2.1")
                .await
                .status(),
            StatusCode::OK,
            "the device cookie still counts after rotating to {keys:?}"
        );
    }
}

crate::on_every_backend!(
    parallel_guesses_get_no_more_than_the_limit_of_password_checks,
    failures_from_many_addresses_slow_the_account,
    a_flood_cannot_keep_a_known_device_out,
);

#[tokio::test]
async fn instances_share_their_counters() {
    for backend in [CacheBackend::Redis, CacheBackend::Postgres] {
        let app = app(backend, |_| {}).await;
        let other_instance = app.second_instance().await;
        let student = app.user(Role::Student).await;
        let on_other = app.via(&student, &other_instance);
        for _ in 0..LIMIT - 1 {
            login_from(&student, "wrong password!", "192.0.2.5").await;
        }
        assert_eq!(
            login_from(&on_other, "wrong password!", "192.0.2.5")
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            login_from(&student, PASSWORD, "192.0.2.5").await.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn hostile_input_is_refused_before_any_work() {
    let app = app(CacheBackend::Memory, |_| {}).await;
    let client = app.anonymous();
    let cases = [
        ("a\0b@school.example.org".to_owned(), PASSWORD.to_owned()),
        ("a\u{7}b@school.example.org".to_owned(), PASSWORD.to_owned()),
        (
            "line\nbreak@school.example.org".to_owned(),
            PASSWORD.to_owned(),
        ),
        (format!("{}@x.org", "a".repeat(249)), PASSWORD.to_owned()),
        (format!("{}@x.org", "a".repeat(15_007)), PASSWORD.to_owned()),
        ("pupil@school.example.org".to_owned(), "p".repeat(1025)),
    ];
    for (email, password) in cases {
        let response = client
            .post_json(
                paths::LOGIN,
                &LoginRequest {
                    email,
                    password,
                    token: false,
                    shared_device: false,
                },
            )
            .await;
        assert_error(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::Validation,
        )
        .await;
    }
    assert!(app.rows("SELECT * FROM session_events").await.is_empty());
}

/// The release binary, as operators run it, at the most verbose log level: no line of
/// its output names an email someone tried.
#[tokio::test]
async fn no_log_line_names_an_attempted_email() {
    let app = app(CacheBackend::Memory, |_| {}).await;
    let student = app.user(Role::Student).await;
    let mut server = ServerProcess::start(&[
        ("DATABASE_URL", app.db.url.as_str()),
        ("SESSION_SECRET", SECRET),
        ("RUST_LOG", "trace"),
    ])
    .await;
    let base = server.url();
    let on_binary = app.via(&student, &base);
    let unknown = app
        .via(&app.anonymous(), &base)
        .typing("never-registered@school.example.org");
    assert_eq!(
        on_binary.login_with("wrong password!").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        unknown.login_with("wrong password!").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        on_binary.login_with(PASSWORD).await.status(),
        StatusCode::OK
    );
    assert!(server.terminate().await.success());
    let output = std::fs::read_to_string(&server.log).unwrap();
    assert!(output.contains("logged in"), "the log was captured");
    for email in [&student.email, &unknown.email] {
        assert!(!output.contains(email.as_str()), "{email} in the log");
    }
}

/// Two deployments sharing one Redis (say, staging beside production): failures counted
/// by one never throttle the other, even from the same address.
#[tokio::test]
async fn deployments_sharing_a_redis_never_share_a_counter() {
    let keyspace = format!("shared-{}:", uuid::Uuid::new_v4().simple());
    let lenient = app(CacheBackend::Redis, |settings| {
        settings.cache_key_prefix = keyspace.clone();
        settings.login_max_failures = 1_000;
        settings.session_secrets = vec!["lenient-lenient-lenient-lenient-lenient-0".into()];
    })
    .await;
    let strict = app(CacheBackend::Redis, |settings| {
        settings.cache_key_prefix = keyspace.clone();
    })
    .await;
    let flooder = lenient.anonymous();
    for n in 0..LIMIT * 20 {
        let made_up = flooder.typing(&format!("nobody{n}@school.example.org"));
        login_from(&made_up, "guess", "192.0.2.44").await;
    }
    // Browsers without a device cookie are judged by the address's counter.
    let student = strict.user(Role::Student).await;
    for browser in [student.new_browser(), student.new_browser()] {
        assert_eq!(
            login_from(&browser, PASSWORD, "192.0.2.44").await.status(),
            StatusCode::OK
        );
    }
}
