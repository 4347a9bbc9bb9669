//! Login and logout: credentials, throttling, fixation, cookie attributes, events.

use hallpass_server::config::CacheBackend;
use hallpass_shared::{AuthResponse, ErrorCode, LoginRequest, Role, SessionList, paths};
use reqwest::StatusCode;

use crate::support::{PASSWORD, assert_error, json, spawn_app, spawn_app_with};

#[tokio::test]
async fn login_answers_user_and_session_and_records_both_events() {
    let app = spawn_app(CacheBackend::Redis).await;
    let teacher = app.user(Role::Teacher).await;
    let answer: AuthResponse = json(teacher.login().await).await;
    assert_eq!(answer.user.id, teacher.id);
    assert_eq!(answer.user.role, Role::Teacher);
    assert!(answer.session.is_current);
    assert_eq!(
        answer.session.expires_at - answer.session.created,
        chrono::Duration::days(30)
    );
    assert_eq!(answer.session.browser, "Unknown");
    assert_eq!(
        app.events_of_kind(&teacher, "login_succeeded").await.len(),
        1
    );
    assert_eq!(
        app.events_of_kind(&teacher, "session_created").await.len(),
        1
    );
}

#[tokio::test]
async fn login_email_is_case_insensitive() {
    let app = spawn_app(CacheBackend::Memory).await;
    let student = app.user(Role::Student).await;
    let shouting = LoginRequest {
        email: format!("  {}  ", student.email.to_uppercase()),
        password: PASSWORD.into(),
        token: false,
        shared_device: false,
    };
    assert_eq!(
        student.post_json(paths::LOGIN, &shouting).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn unknown_email_and_wrong_password_get_the_same_answer() {
    let app = spawn_app(CacheBackend::Memory).await;
    let student = app.user(Role::Student).await;
    let wrong_password = student.login_with("not the password").await;
    let unknown = app
        .anonymous()
        .post_json(
            paths::LOGIN,
            &LoginRequest {
                email: "nobody@school.example.org".into(),
                password: "whatever it is".into(),
                token: false,
                shared_device: false,
            },
        )
        .await;
    assert_eq!(wrong_password.status(), unknown.status());
    let (a, b) = (
        wrong_password.text().await.unwrap(),
        unknown.text().await.unwrap(),
    );
    assert_eq!(a, b);
    assert!(a.contains("invalid_credentials"));
    assert_eq!(app.events_of_kind(&student, "login_failed").await.len(), 1);
}

#[tokio::test]
async fn repeated_failures_are_rate_limited_with_retry_after() {
    let app = spawn_app_with(CacheBackend::Memory, |settings| {
        settings.login_max_failures = 3
    })
    .await;
    let student = app.user(Role::Student).await;
    for _ in 0..3 {
        assert_error(
            student.login_with("wrong password!").await,
            StatusCode::UNAUTHORIZED,
            ErrorCode::InvalidCredentials,
        )
        .await;
    }
    let limited = student.login_with(PASSWORD).await;
    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry_after));
    assert_error(
        limited,
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::RateLimited,
    )
    .await;
}

#[tokio::test]
async fn login_over_an_old_cookie_issues_a_new_token_and_ends_the_old_session() {
    let app = spawn_app(CacheBackend::Redis).await;
    let student = app.student().await;
    let old_cookie = student.cookie().unwrap();
    let old_token = app.token_of(&student);
    let old_session = student.current().await.session;

    student.login().await;
    let new_token = app.token_of(&student);
    assert_ne!(old_token, new_token, "login never keeps a presented token");
    assert_ne!(student.current().await.session.id, old_session.id);

    student.set_cookie(&old_cookie);
    student.assert_signed_out(ErrorCode::SessionRevoked).await;
}

#[tokio::test]
async fn session_cookie_is_http_only_lax_host_wide_and_lives_as_long_as_the_session() {
    let app = spawn_app(CacheBackend::Memory).await;
    let student = app.user(Role::Student).await;
    let response = student.login().await;
    let cookie = set_cookie(&response, "hallpass_session=");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=2592000"] {
        assert!(
            cookie.contains(attribute),
            "{attribute} missing from {cookie}"
        );
    }
    assert!(!cookie.contains("Domain"), "{cookie}");
    assert!(!cookie.contains("Secure"), "not configured: {cookie}");
    // The login throttle's device cookie: sealed the same way, kept 400 days.
    let device = set_cookie(&response, "hallpass_device=");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=34560000"] {
        assert!(
            device.contains(attribute),
            "{attribute} missing from {device}"
        );
    }
    assert_eq!(response.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn secure_cookies_use_the_host_prefix() {
    let app = spawn_app_with(CacheBackend::Memory, |settings| {
        settings.cookie_secure = true
    })
    .await;
    let student = app.user(Role::Student).await;
    let response = student.login().await;
    for name in ["__Host-hallpass_session=", "__Host-hallpass_device="] {
        let cookie = set_cookie(&response, name);
        assert!(cookie.contains("Secure"), "{cookie}");
    }
}

/// The `Set-Cookie` header of `response` that sets the cookie `name=`.
fn set_cookie(response: &reqwest::Response, name: &str) -> String {
    let headers = response.headers().get_all("set-cookie").iter();
    let mut values = headers.map(|value| value.to_str().unwrap().to_owned());
    values
        .find(|value| value.starts_with(name))
        .unwrap_or_else(|| panic!("no {name} cookie set"))
}

#[tokio::test]
async fn logout_needs_a_session() {
    let app = spawn_app(CacheBackend::Memory).await;
    assert_error(
        app.anonymous().post(paths::LOGOUT).await,
        StatusCode::UNAUTHORIZED,
        ErrorCode::SessionInvalid,
    )
    .await;
}

#[tokio::test]
async fn forwarded_addresses_count_only_from_trusted_proxies() {
    let untrusted = spawn_app(CacheBackend::Memory).await;
    let trusted = spawn_app_with(CacheBackend::Memory, |settings| {
        settings.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()]
    })
    .await;
    for (app, expected) in [(&untrusted, "127.0.0.1"), (&trusted, "203.0.113.9")] {
        let user = app.user(Role::Student).await;
        let answer = user
            .login_through(&[("x-forwarded-for", "203.0.113.9")])
            .await;
        assert_eq!(answer.session.ip_address, expected);
    }
}

/// "This is a shared computer": a cookie that ends with the browser, no device cookie,
/// the platform not learned, the session marked in every list.
#[tokio::test]
async fn a_shared_computer_sign_in_leaves_a_browser_session_cookie_and_no_device() {
    let app = spawn_app(CacheBackend::Redis).await;
    let pupil = app.user(Role::Student).await;
    let body = LoginRequest {
        email: pupil.email.clone(),
        password: PASSWORD.into(),
        token: false,
        shared_device: true,
    };
    let response = pupil
        .client
        .post(pupil.url(paths::LOGIN))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let cookies: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .collect();
    assert_eq!(cookies.len(), 1, "no device cookie: {cookies:?}");
    let cookie = &cookies[0];
    assert!(cookie.starts_with("hallpass_session="), "{cookie}");
    assert!(
        !cookie.contains("Max-Age") && !cookie.contains("Expires"),
        "it ends with the browser: {cookie}"
    );
    let answer: AuthResponse = json(response).await;
    assert!(answer.session.shared_device);
    let listed: SessionList = pupil.get_json(paths::SESSIONS).await;
    assert!(listed.sessions[0].shared_device);
    let learned = app
        .rows(&format!(
            "SELECT fingerprint FROM known_devices WHERE user_id = '{}'",
            pupil.id
        ))
        .await;
    assert!(learned.is_empty(), "{learned:?}");
    let row = &app.session_rows(&pupil).await[0];
    assert_eq!(row["shared_device"], true);
}
