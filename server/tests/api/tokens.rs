//! Bearer tokens for native apps and REST clients: `POST /api/auth/login` with
//! `"token": true` answers the session's token and sets no cookie; `Authorization: Bearer`
//! is then accepted on every route, needs no `Origin` check, and the token is an ordinary
//! session (listed, renamed, revoked, ended by logout and password change).

use hallpass_server::config::CacheBackend;
use hallpass_shared::{
    AuthResponse, ErrorCode, LoginRequest, NewToken, PasswordChange, Role, SessionList, paths,
};
use reqwest::{Method, StatusCode, header};
use serde_json::json;

use crate::support::{
    PASSWORD, SECRET, TestApp, TestUser, assert_error, json, server_process::ServerProcess,
    spawn_app,
};

/// A native app: no cookie jar of its own worth the name, its own user agent.
const APP_AGENT: &str = "curl/8.5.0";

/// Logs `user` in asking for a token; the answer, and whether it set any cookie.
async fn token_login(user: &TestUser) -> (AuthResponse, bool) {
    let body = LoginRequest {
        email: user.email.clone(),
        password: PASSWORD.into(),
        token: true,
        shared_device: false,
    };
    let response = reqwest::Client::new()
        .post(user.url(paths::LOGIN))
        .header(header::USER_AGENT, APP_AGENT)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let set_cookie = response.headers().contains_key(header::SET_COOKIE);
    (json(response).await, set_cookie)
}

/// A request with `token` as its bearer and nothing else (no cookie jar).
fn bearer(app: &TestApp, method: Method, path: &str, token: &str) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .request(method, format!("{}{path}", app.address))
        .header(header::USER_AGENT, APP_AGENT)
        .bearer_auth(token)
}

async fn token_of(user: &TestUser) -> String {
    let (answer, _) = token_login(user).await;
    answer.token.expect("a token was asked for")
}

#[tokio::test]
async fn a_token_login_answers_the_token_and_sets_no_cookie() {
    let app = spawn_app(CacheBackend::Redis).await;
    let student = app.user(Role::Student).await;
    let (answer, set_cookie) = token_login(&student).await;
    let token = answer.token.unwrap();
    assert!(token.starts_with("hp_"), "{token}");
    assert!(!set_cookie, "neither a session nor a device cookie");
    assert_eq!(answer.user.id, student.id);
    let current: AuthResponse = json(
        bearer(&app, Method::GET, paths::CURRENT_SESSION, &token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(current.session.id, answer.session.id);
    assert_eq!(current.token, None, "the token is never answered again");
}

#[tokio::test]
async fn a_bearer_token_is_accepted_on_every_route_its_role_may_use() {
    let app = spawn_app(CacheBackend::Memory).await;
    let admin = app.user(Role::Admin).await;
    let token = token_of(&admin).await;
    for path in [
        paths::CURRENT_SESSION,
        paths::SESSIONS,
        paths::OWN_EVENTS,
        paths::NEW_DEVICE_SESSIONS,
        paths::ADMIN_USERS,
        paths::ADMIN_EVENTS,
    ] {
        let response = bearer(&app, Method::GET, path, &token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
    let ensured = bearer(&app, Method::POST, paths::ENSURE_SESSION, &token)
        .send()
        .await
        .unwrap();
    assert_eq!(json::<serde_json::Value>(ensured).await["exists"], true);
    let students = app.user(Role::Student).await;
    let student_token = token_of(&students).await;
    let refused = bearer(&app, Method::GET, paths::ADMIN_USERS, &student_token)
        .send()
        .await
        .unwrap();
    assert_error(refused, StatusCode::FORBIDDEN, ErrorCode::Forbidden).await;
}

#[tokio::test]
async fn a_bearer_request_needs_no_origin_check_and_is_listed_renamed_and_revoked() {
    let app = spawn_app(CacheBackend::Redis).await;
    let student = app.user(Role::Student).await;
    student.login().await;
    let token = token_of(&student).await;
    let list: SessionList = student.get_json(paths::SESSIONS).await;
    let listed = list.sessions.iter().find(|s| !s.is_current);
    let listed = listed.expect("the token's session is listed");
    assert_eq!(listed.user_agent, APP_AGENT, "with its client's user agent");
    let renamed = bearer(&app, Method::PATCH, &paths::session(listed.id), &token)
        .header(header::ORIGIN, "https://elsewhere.example")
        .json(&json!({ "name": "Phone app" }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        renamed.status(),
        StatusCode::OK,
        "no Origin check for a bearer"
    );
    let revoked = student.delete(&paths::session(listed.id)).await;
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    let after = bearer(&app, Method::GET, paths::CURRENT_SESSION, &token)
        .send()
        .await
        .unwrap();
    assert_error(after, StatusCode::UNAUTHORIZED, ErrorCode::SessionRevoked).await;
}

#[tokio::test]
async fn logout_ends_a_token_and_sets_no_cookie() {
    let app = spawn_app(CacheBackend::Memory).await;
    let student = app.user(Role::Student).await;
    let token = token_of(&student).await;
    let out = bearer(&app, Method::POST, paths::LOGOUT, &token)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert!(!out.headers().contains_key(header::SET_COOKIE));
    let after = bearer(&app, Method::GET, paths::SESSIONS, &token)
        .send()
        .await
        .unwrap();
    assert_error(after, StatusCode::UNAUTHORIZED, ErrorCode::SessionRevoked).await;
    let garbage = bearer(&app, Method::GET, paths::SESSIONS, "hp_not-a-token")
        .send()
        .await
        .unwrap();
    assert_error(garbage, StatusCode::UNAUTHORIZED, ErrorCode::SessionInvalid).await;
}

#[tokio::test]
async fn a_password_change_with_a_token_answers_the_new_token() {
    let app = spawn_app(CacheBackend::Redis).await;
    let student = app.user(Role::Student).await;
    let token = token_of(&student).await;
    let change = PasswordChange {
        current_password: PASSWORD.into(),
        new_password: "a brand new passphrase".into(),
    };
    let changed = bearer(&app, Method::POST, paths::PASSWORD, &token)
        .json(&change)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    assert!(!changed.headers().contains_key(header::SET_COOKIE));
    let NewToken { token: renewed } = json(changed).await;
    assert_ne!(renewed, token);
    let old = bearer(&app, Method::GET, paths::SESSIONS, &token)
        .send()
        .await
        .unwrap();
    assert_error(old, StatusCode::UNAUTHORIZED, ErrorCode::SessionRevoked).await;
    let new = bearer(&app, Method::GET, paths::SESSIONS, &renewed)
        .send()
        .await
        .unwrap();
    assert_eq!(new.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_token_is_in_no_log_line_row_or_later_answer() {
    let app = spawn_app(CacheBackend::Memory).await;
    let student = app.user(Role::Student).await;
    let mut server = ServerProcess::start(&[
        ("DATABASE_URL", app.db.url.as_str()),
        ("SESSION_SECRET", SECRET),
        ("RUST_LOG", "debug"),
    ])
    .await;
    let on_binary = app.via(&student, &server.url());
    let token = token_of(&on_binary).await;
    let secret = token.trim_start_matches("hp_").to_owned();
    let client = reqwest::Client::new();
    let mut answers = Vec::new();
    for path in [paths::CURRENT_SESSION, paths::SESSIONS, paths::OWN_EVENTS] {
        let response = client
            .get(on_binary.url(path))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        answers.push(response.text().await.unwrap());
    }
    assert!(server.terminate().await.success());
    let log = std::fs::read_to_string(&server.log).unwrap();
    assert!(log.contains("logged in"), "the log was written");
    assert!(!log.contains(&secret), "token in the log");
    for answer in &answers {
        assert!(!answer.contains(&secret), "token in {answer}");
    }
    for table in ["user_sessions", "session_events"] {
        for row in app.rows(&format!("SELECT * FROM {table}")).await {
            assert!(!row.to_string().contains(&secret), "token in {table}");
        }
    }
}
