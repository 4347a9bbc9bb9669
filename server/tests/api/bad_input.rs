//! Malformed requests get the JSON envelope and a 4xx: never a 500, a panic, an HTML
//! page, or a half-written session.

use hallpass_server::config::CacheBackend;
use hallpass_shared::{
    AuthResponse, CreateUser, ErrorCode, LoginRequest, RenameSession, Role, UserView, paths,
};
use reqwest::StatusCode;

use crate::support::{PASSWORD, assert_error, clears_cookie, json, spawn_app};

#[tokio::test]
async fn malformed_login_bodies() {
    let app = spawn_app(CacheBackend::Memory).await;
    let client = app.anonymous();
    let send = |body: &'static str, content_type: Option<&'static str>| {
        let mut request = client.client.post(client.url(paths::LOGIN)).body(body);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        request.send()
    };
    let json_type = Some("application/json");
    assert_error(
        send("{not json", json_type).await.unwrap(),
        StatusCode::BAD_REQUEST,
        ErrorCode::BadRequest,
    )
    .await;
    assert_error(
        send("{\"email\":\"a@b.co\"}", json_type).await.unwrap(),
        StatusCode::BAD_REQUEST,
        ErrorCode::BadRequest,
    )
    .await;
    assert_error(
        send("[1,2,3]", json_type).await.unwrap(),
        StatusCode::BAD_REQUEST,
        ErrorCode::BadRequest,
    )
    .await;
    assert_error(
        send("{\"email\":1,\"password\":2}", json_type)
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
        ErrorCode::BadRequest,
    )
    .await;
    assert_error(
        send("", json_type).await.unwrap(),
        StatusCode::BAD_REQUEST,
        ErrorCode::BadRequest,
    )
    .await;
    assert_error(
        send(
            "email=a&password=b",
            Some("application/x-www-form-urlencoded"),
        )
        .await
        .unwrap(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorCode::UnsupportedMediaType,
    )
    .await;
    assert_error(
        send("{}", None).await.unwrap(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorCode::UnsupportedMediaType,
    )
    .await;
    let empty = LoginRequest {
        email: String::new(),
        password: String::new(),
        token: false,
        shared_device: false,
    };
    assert_error(
        client.post_json(paths::LOGIN, &empty).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::Validation,
    )
    .await;
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_413() {
    let app = spawn_app(CacheBackend::Memory).await;
    let huge = LoginRequest {
        email: "a@b.co".into(),
        password: "x".repeat(64 * 1024),
        token: false,
        shared_device: false,
    };
    assert_error(
        app.anonymous().post_json(paths::LOGIN, &huge).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::PayloadTooLarge,
    )
    .await;
}

#[tokio::test]
async fn long_passwords_are_wrong_and_longer_than_a_login_takes_refused() {
    let app = spawn_app(CacheBackend::Memory).await;
    let student = app.user(Role::Student).await;
    assert_error(
        student.login_with(&"y".repeat(1_000)).await,
        StatusCode::UNAUTHORIZED,
        ErrorCode::InvalidCredentials,
    )
    .await;
    assert_error(
        student.login_with(&"y".repeat(4_000)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::Validation,
    )
    .await;
}

#[tokio::test]
async fn absurd_headers_get_a_4xx() {
    let app = spawn_app(CacheBackend::Memory).await;
    let client = app.anonymous();
    let response = client
        .client
        .get(client.url(paths::CURRENT_SESSION))
        .header("x-junk", "z".repeat(128 * 1024))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_client_error(), "{}", response.status());
}

#[tokio::test]
async fn user_agents_of_any_length_are_kept_to_512_characters() {
    let app = spawn_app(CacheBackend::Memory).await;
    let student = app.user(Role::Student).await;
    let agent = format!("Mozilla/5.0 {}", "é".repeat(5_000));
    let response = student
        .client
        .post(student.url(paths::LOGIN))
        .header("user-agent", agent.clone())
        .json(&LoginRequest {
            email: student.email.clone(),
            password: PASSWORD.into(),
            token: false,
            shared_device: false,
        })
        .send()
        .await
        .unwrap();
    let answer: AuthResponse = json(response).await;
    assert_eq!(answer.session.user_agent.chars().count(), 512);
    assert!(agent.starts_with(&answer.session.user_agent));
    let rows = app.session_rows(&student).await;
    assert_eq!(rows[0]["user_agent"].as_str().unwrap().chars().count(), 512);
}

#[tokio::test]
async fn garbage_and_forged_cookies_are_refused_and_cleared() {
    let app = spawn_app(CacheBackend::Memory).await;
    let forged_elsewhere = {
        // A real cookie minted by another deployment (another key).
        let other =
            spawn_app_with_secret("another-secret-another-secret-another-secret-0123456789").await;
        let user = other.student().await;
        user.cookie().unwrap()
    };
    for cookie in [
        "hallpass_session=garbage".to_owned(),
        "hallpass_session=".to_owned(),
        format!("hallpass_session={}", "A".repeat(4000)),
        forged_elsewhere,
    ] {
        let client = app.anonymous();
        client.set_cookie(&cookie);
        let response = client.get(paths::SESSIONS).await;
        assert!(clears_cookie(&response), "{cookie}");
        assert_error(
            response,
            StatusCode::UNAUTHORIZED,
            ErrorCode::SessionInvalid,
        )
        .await;
        let ensure = app.anonymous();
        ensure.set_cookie(&cookie);
        assert_error(
            ensure.post(paths::ENSURE_SESSION).await,
            StatusCode::UNAUTHORIZED,
            ErrorCode::SessionInvalid,
        )
        .await;
    }
    assert!(
        app.rows("SELECT * FROM user_sessions").await.is_empty(),
        "nothing half-written"
    );
}

async fn spawn_app_with_secret(secret: &'static str) -> crate::support::TestApp {
    crate::support::spawn_app_with(CacheBackend::Memory, |settings| {
        settings.session_secrets = vec![secret.to_owned().into()]
    })
    .await
}

#[tokio::test]
async fn unknown_api_paths_and_methods_answer_json() {
    let app = spawn_app(CacheBackend::Memory).await;
    let client = app.anonymous();
    assert_error(
        client.get("/api/no/such/thing").await,
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
    assert_error(
        client.get(paths::LOGIN).await,
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
    )
    .await;
    assert_error(
        client.delete(paths::OWN_EVENTS).await,
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
    )
    .await;
    let put = client
        .client
        .put(client.url(paths::SESSIONS))
        .send()
        .await
        .unwrap();
    assert_error(
        put,
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
    )
    .await;
    // 405s say what the resource takes (RFC 9110).
    for (path, allow) in [
        (paths::LOGIN, "POST"),
        (paths::ADMIN_USERS, "GET, POST"),
        (paths::HEALTHZ, "GET"),
    ] {
        let trace = client
            .client
            .request(reqwest::Method::TRACE, client.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(trace.headers()["allow"], allow, "{path}");
        assert_error(
            trace,
            StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::MethodNotAllowed,
        )
        .await;
    }
}

#[tokio::test]
async fn a_control_character_in_a_search_is_refused_in_words_not_a_500() {
    let app = spawn_app(CacheBackend::Memory).await;
    let admin = app.logged_in(Role::Admin).await;
    for q in ["%00", "ad%01a", "ad%0Aa"] {
        let response = admin.get(&format!("{}?q={q}", paths::ADMIN_USERS)).await;
        assert_error(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::Validation,
        )
        .await;
    }
}

/// Invisible and reordering characters, and look-alike letters of another script, are
/// refused where people read them: emails, names, session names.
#[tokio::test]
async fn invisible_characters_and_mixed_scripts_are_refused_in_words() {
    let app = spawn_app(CacheBackend::Memory).await;
    let admin = app.logged_in(Role::Admin).await;
    let create = |email: &str, name: &str| CreateUser {
        email: email.to_owned(),
        name: name.to_owned(),
        role: Role::Student,
        password: "a long enough password".into(),
    };
    for (email, name) in [
        ("al\u{200B}ice@school.example", "Alice"),
        ("\u{0430}lice@school.example", "Alice"),
        ("alice@school.example", "Eve\u{202E}lla"),
    ] {
        let response = admin
            .post_json(paths::ADMIN_USERS, &create(email, name))
            .await;
        assert_error(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::Validation,
        )
        .await;
    }
    let created: UserView = json(
        admin
            .post_json(
                paths::ADMIN_USERS,
                &create("alice@school.example", "Ａｌｉｃｅ"),
            )
            .await,
    )
    .await;
    assert_eq!(created.name, "Alice", "stored in NFKC");

    let id = admin.current().await.session.id;
    let rename = RenameSession {
        name: Some("Laptop\u{202E}".into()),
    };
    let response = admin
        .client
        .patch(admin.url(&paths::session(id)))
        .json(&rename)
        .send()
        .await
        .unwrap();
    assert_error(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::Validation,
    )
    .await;
}
