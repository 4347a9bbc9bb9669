//! `GET /api/auth/verify`, the forward-auth answer for the platform's other apps: the
//! identity in headers, roles, refusals, revocation seen at once, the redirect to sign-in
//! and its refusals (never an open redirect), bearer tokens, and the shared cookie domain.

use hallpass_server::config::CacheBackend;
use hallpass_shared::{ErrorCode, LoginRequest, Role, paths};
use reqwest::{StatusCode, header};

use crate::support::{PASSWORD, TestApp, TestUser, assert_error, json, spawn_app, spawn_app_with};

const VERIFY: &str = paths::VERIFY;

/// Hallpass behind a proxy on this host: its public origin, the LMS beside it.
async fn behind_a_proxy() -> TestApp {
    spawn_app_with(CacheBackend::Redis, |settings| {
        settings.public_origin = Some("https://hallpass.school.example".into());
        settings.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        settings.forward_auth_origins = vec!["https://lms.school.example".into()];
    })
    .await
}

/// A browser navigation to `host` + `uri` that a proxy forwards to verify.
async fn navigation(user: &TestUser, query: &str, host: &str, uri: &str) -> reqwest::Response {
    user.client
        .get(user.url(&format!("{VERIFY}{query}")))
        .header(header::ACCEPT, "text/html,application/xhtml+xml")
        .header("x-forwarded-proto", "https")
        .header("x-forwarded-host", host)
        .header("x-forwarded-uri", uri)
        .send()
        .await
        .unwrap()
}

fn header_of<'a>(response: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    response
        .headers()
        .get(name)
        .map(|value| value.to_str().unwrap())
}

#[tokio::test]
async fn a_valid_session_is_named_in_headers_with_an_empty_uncached_answer() {
    let app = spawn_app(CacheBackend::Redis).await;
    let teacher = app.logged_in(Role::Teacher).await;
    app.execute(&format!(
        "UPDATE users SET name = 'Zoé 100% Durand' WHERE id = '{}'",
        teacher.id
    ))
    .await;
    app.forget_cached(&teacher).await;
    let session = teacher.current().await.session;
    let events_before = app.rows("SELECT id FROM session_events").await.len();
    for method in [reqwest::Method::GET, reqwest::Method::HEAD] {
        let response = teacher
            .client
            .request(method.clone(), teacher.url(VERIFY))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{method}");
        assert_eq!(header_of(&response, "cache-control"), Some("no-store"));
        let teacher_id = teacher.id.to_string();
        let session_id = session.id.to_string();
        assert_eq!(
            header_of(&response, "remote-user"),
            Some(teacher_id.as_str())
        );
        assert_eq!(
            header_of(&response, "remote-email"),
            Some(teacher.email.as_str())
        );
        assert_eq!(
            header_of(&response, "remote-name"),
            Some("Zo%C3%A9 100%25 Durand")
        );
        assert_eq!(header_of(&response, "remote-groups"), Some("teacher"));
        assert_eq!(
            header_of(&response, "remote-session"),
            Some(session_id.as_str())
        );
        assert!(response.text().await.unwrap().is_empty());
    }
    let events_after = app.rows("SELECT id FROM session_events").await.len();
    assert_eq!(events_after, events_before, "no audit row for a success");
    let metrics = app
        .anonymous()
        .get(paths::METRICS)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("hallpass_verify_total{result=\"allowed\"} 2"),
        "{metrics}"
    );
}

#[tokio::test]
async fn an_app_admits_only_the_roles_it_lists() {
    let app = spawn_app(CacheBackend::Memory).await;
    let student = app.logged_in(Role::Student).await;
    let teacher = app.logged_in(Role::Teacher).await;
    let query = format!("{VERIFY}?role=teacher,admin");
    let refused = student.get(&query).await;
    assert!(header_of(&refused, "remote-user").is_none());
    assert_error(refused, StatusCode::FORBIDDEN, ErrorCode::Forbidden).await;
    assert_eq!(teacher.get(&query).await.status(), StatusCode::OK);
    let unknown = teacher.get(&format!("{VERIFY}?role=janitor")).await;
    assert_error(unknown, StatusCode::BAD_REQUEST, ErrorCode::BadRequest).await;
}

#[tokio::test]
async fn without_a_valid_session_the_answer_is_401_and_a_revocation_counts_everywhere_at_once() {
    let app = spawn_app(CacheBackend::Redis).await;
    let anonymous = app.anonymous().get(VERIFY).await;
    assert_error(
        anonymous,
        StatusCode::UNAUTHORIZED,
        ErrorCode::SessionInvalid,
    )
    .await;
    let student = app.logged_in(Role::Student).await;
    let other = app.second_instance().await;
    let elsewhere = app.via(&student, &other);
    assert_eq!(elsewhere.get(VERIFY).await.status(), StatusCode::OK);
    let saved = student.cookie().unwrap();
    assert_eq!(
        student.post(paths::LOGOUT).await.status(),
        StatusCode::NO_CONTENT
    );
    elsewhere.set_cookie(&saved);
    let after = elsewhere.get(VERIFY).await;
    assert_error(after, StatusCode::UNAUTHORIZED, ErrorCode::SessionRevoked).await;
}

#[tokio::test]
async fn a_signed_out_browser_is_sent_to_sign_in_and_back_to_where_it_was_going() {
    let app = behind_a_proxy().await;
    let browser = app.anonymous();
    let response = navigation(
        &browser,
        "?redirect=true",
        "lms.school.example",
        "/course/7?tab=marks",
    )
    .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(
        header_of(&response, "location"),
        Some(
            "https://hallpass.school.example/en/login?return_to=\
             https%3A%2F%2Flms.school.example%2Fcourse%2F7%3Ftab%3Dmarks"
        )
    );
    let french = browser
        .client
        .get(browser.url(&format!("{VERIFY}?redirect=true")))
        .header(header::ACCEPT, "text/html")
        .header(header::ACCEPT_LANGUAGE, "fr-FR,fr;q=0.9,en;q=0.5")
        .header("x-forwarded-proto", "https")
        .header("x-forwarded-host", "hallpass.school.example")
        .header("x-forwarded-uri", "/fr/profile")
        .send()
        .await
        .unwrap();
    let location = header_of(&french, "location").unwrap();
    assert!(
        location.starts_with("https://hallpass.school.example/fr/login?return_to="),
        "{location}"
    );
}

#[tokio::test]
async fn no_redirect_for_another_origin_an_api_call_an_untrusted_peer_or_without_asking() {
    let app = behind_a_proxy().await;
    let browser = app.anonymous();
    for (query, host) in [
        ("?redirect=true", "evil.example"),
        ("?redirect=true", "lms.school.example.evil.example"),
        ("", "lms.school.example"),
    ] {
        let response = navigation(&browser, query, host, "/course/7").await;
        assert_error(
            response,
            StatusCode::UNAUTHORIZED,
            ErrorCode::SessionInvalid,
        )
        .await;
    }
    let api_call = browser
        .client
        .get(browser.url(&format!("{VERIFY}?redirect=true")))
        .header(header::ACCEPT, "application/json")
        .header("x-forwarded-proto", "https")
        .header("x-forwarded-host", "lms.school.example")
        .header("x-forwarded-uri", "/api/grades")
        .send()
        .await
        .unwrap();
    assert_error(
        api_call,
        StatusCode::UNAUTHORIZED,
        ErrorCode::SessionInvalid,
    )
    .await;
    let untrusted = spawn_app_with(CacheBackend::Memory, |settings| {
        settings.public_origin = Some("https://hallpass.school.example".into());
        settings.forward_auth_origins = vec!["https://lms.school.example".into()];
    })
    .await;
    let response = navigation(
        &untrusted.anonymous(),
        "?redirect=true",
        "lms.school.example",
        "/",
    )
    .await;
    assert_error(
        response,
        StatusCode::UNAUTHORIZED,
        ErrorCode::SessionInvalid,
    )
    .await;
}

#[tokio::test]
async fn a_bearer_token_is_verified_like_a_cookie() {
    let app = spawn_app(CacheBackend::Memory).await;
    let student = app.user(Role::Student).await;
    let body = LoginRequest {
        email: student.email.clone(),
        password: PASSWORD.into(),
        token: true,
        shared_device: false,
    };
    let answer: hallpass_shared::AuthResponse = json(
        reqwest::Client::new()
            .post(student.url(paths::LOGIN))
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let verified = reqwest::Client::new()
        .get(student.url(VERIFY))
        .bearer_auth(answer.token.unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(verified.status(), StatusCode::OK);
    let expected = student.id.to_string();
    assert_eq!(header_of(&verified, "remote-user"), Some(expected.as_str()));
}

#[tokio::test]
async fn a_cookie_domain_shares_the_cookies_with_the_schools_sites() {
    for (secure, session, device) in [
        (
            true,
            "__Secure-hallpass_session=",
            "__Secure-hallpass_device=",
        ),
        (false, "hallpass_session=", "hallpass_device="),
    ] {
        let app = spawn_app_with(CacheBackend::Memory, |settings| {
            settings.cookie_domain = Some("school.example".into());
            settings.cookie_secure = secure;
        })
        .await;
        let student = app.user(Role::Student).await;
        let response = student.login_with(PASSWORD).await;
        let cookies: Vec<&str> = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|value| value.to_str().unwrap())
            .collect();
        for name in [session, device] {
            let cookie = cookies.iter().find(|cookie| cookie.starts_with(name));
            let cookie = cookie.unwrap_or_else(|| panic!("no {name} in {cookies:?}"));
            assert!(cookie.contains("Domain=school.example"), "{cookie}");
            assert_eq!(cookie.contains("Secure"), secure, "{cookie}");
        }
    }
}

#[tokio::test]
async fn after_sign_in_a_browser_goes_back_only_to_the_platforms_origins() {
    let app = behind_a_proxy().await;
    let browser = app.anonymous();
    for (to, expected) in [
        (
            "https://lms.school.example/course/7?tab=marks",
            "https://lms.school.example/course/7?tab=marks",
        ),
        (
            "https://hallpass.school.example/en/profile",
            "https://hallpass.school.example/en/profile",
        ),
        ("https://evil.example/phish", "/"),
        ("javascript:alert(1)", "/"),
        ("//evil.example", "/"),
        ("not a url", "/"),
    ] {
        let encoded: String = url::form_urlencoded::byte_serialize(to.as_bytes()).collect();
        let response = browser
            .get(&format!("{}?to={encoded}", paths::RETURN))
            .await;
        assert_eq!(response.status(), StatusCode::FOUND, "{to}");
        assert_eq!(header_of(&response, "location"), Some(expected), "{to}");
    }
    let nowhere = browser.get(paths::RETURN).await;
    assert_eq!(header_of(&nowhere, "location"), Some("/"));
}
