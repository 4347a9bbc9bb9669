//! A fresh password before sensitive acts: an admin whose session last proved the
//! password longer ago than `REAUTH_WINDOW` gets 403 `reauthentication_required` for
//! every act that could hurt someone else, until `POST /api/auth/reauthenticate`.

use hallpass_server::config::CacheBackend;
use hallpass_shared::{
    ErrorCode, LoginRequest, NewToken, PolicySettings, Reauthenticate, Role, SetPassword,
    UpdateUser, paths,
};
use reqwest::{Method, StatusCode, header};

use crate::support::{PASSWORD, TestApp, TestUser, assert_error, json, spawn_app};

/// Moves the proof of every session of `user` eleven minutes back (the window is ten).
async fn proof_grows_old(app: &TestApp, user: &TestUser) {
    app.execute(&format!(
        "UPDATE user_sessions SET authenticated_at = now() - interval '11 minutes' \
         WHERE user_id = '{}'",
        user.id
    ))
    .await;
}

fn password(password: &str) -> Reauthenticate {
    Reauthenticate {
        password: password.into(),
    }
}

/// Each sensitive act of `admin` on `target`, as a request.
async fn sensitive_acts(
    admin: &TestUser,
    target: &TestUser,
) -> Vec<(&'static str, reqwest::Response)> {
    let session = target.current().await.session.id;
    let rename = UpdateUser {
        name: Some("Renamed".into()),
        ..UpdateUser::default()
    };
    let promote = UpdateUser {
        role: Some(Role::Admin),
        ..UpdateUser::default()
    };
    let demand = UpdateUser {
        must_change_password: Some(true),
        ..UpdateUser::default()
    };
    let new_password = SetPassword {
        password: "a password for them".into(),
    };
    let pupils = PolicySettings {
        lifetime_seconds: 8 * 3600,
        idle_timeout_seconds: Some(15 * 60),
        max_sessions: 3,
    };
    let patch = |body: &UpdateUser| {
        admin
            .client
            .patch(admin.url(&paths::admin_user(target.id)))
            .json(body)
            .send()
    };
    vec![
        ("rename", patch(&rename).await.unwrap()),
        ("promote", patch(&promote).await.unwrap()),
        ("demand a password change", patch(&demand).await.unwrap()),
        (
            "sign out one session",
            admin.delete(&paths::admin_session(session)).await,
        ),
        (
            "set a password",
            admin
                .post_json(&paths::admin_user_password(target.id), &new_password)
                .await,
        ),
        (
            "sign out every session",
            admin
                .post(&paths::admin_revoke_user_sessions(target.id))
                .await,
        ),
        (
            "change a policy",
            admin
                .client
                .put(admin.url(&paths::admin_policy(Role::Student)))
                .json(&pupils)
                .send()
                .await
                .unwrap(),
        ),
    ]
}

#[tokio::test]
async fn every_sensitive_act_waits_for_a_fresh_password() {
    let app = spawn_app(CacheBackend::Redis).await;
    let admin = app.logged_in(Role::Admin).await;
    let pupil = app.student().await;
    proof_grows_old(&app, &admin).await;
    for (act, response) in sensitive_acts(&admin, &pupil).await {
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{act}");
        assert_error(
            response,
            StatusCode::FORBIDDEN,
            ErrorCode::ReauthenticationRequired,
        )
        .await;
    }
    assert_eq!(
        pupil.current().await.user.name,
        "Test student",
        "nothing changed"
    );

    // A wrong password: 401, still signed in, audited as a failed sign-in.
    assert_error(
        admin
            .post_json(paths::REAUTHENTICATE, &password("not my password"))
            .await,
        StatusCode::UNAUTHORIZED,
        ErrorCode::InvalidCredentials,
    )
    .await;
    assert_eq!(admin.current().await.user.id, admin.id);
    assert_eq!(
        admin
            .post_json(paths::REAUTHENTICATE, &password(PASSWORD))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.events_of_kind(&admin, "reauthenticated").await.len(), 1);
    for (act, response) in sensitive_acts(&admin, &pupil).await {
        assert!(
            response.status().is_success(),
            "{act}: {}",
            response.status()
        );
    }
}

#[tokio::test]
async fn reauthentication_has_its_own_counter_and_a_flood_cannot_block_it() {
    let app = spawn_app(CacheBackend::Redis).await;
    let admin = app.logged_in(Role::Admin).await;
    let flood = app.anonymous().typing(&admin.email);
    for _ in 0..6 {
        flood.login_with("guess").await;
    }
    assert_eq!(
        flood.login_with(PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "sign-ins to the account are locked"
    );
    assert_eq!(
        admin
            .post_json(paths::REAUTHENTICATE, &password(PASSWORD))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    for _ in 0..5 {
        admin
            .post_json(paths::REAUTHENTICATE, &password("not it"))
            .await;
    }
    assert_error(
        admin
            .post_json(paths::REAUTHENTICATE, &password(PASSWORD))
            .await,
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::RateLimited,
    )
    .await;
}

#[tokio::test]
async fn a_bearer_token_session_reauthenticates_the_same_way() {
    let app = spawn_app(CacheBackend::Redis).await;
    let admin = app.user(Role::Admin).await;
    let pupil = app.student().await;
    let body = LoginRequest {
        email: admin.email.clone(),
        password: PASSWORD.into(),
        token: true,
        shared_device: false,
    };
    let answer: hallpass_shared::AuthResponse = json(
        admin
            .client
            .post(admin.url(paths::LOGIN))
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let NewToken { token } = NewToken {
        token: answer.token.unwrap(),
    };
    proof_grows_old(&app, &admin).await;
    let bearer = |method: Method, path: &str| {
        reqwest::Client::new()
            .request(method, format!("{}{path}", app.address))
            .header(header::USER_AGENT, "curl/8.5.0")
            .bearer_auth(&token)
    };
    let revoke = || bearer(Method::POST, &paths::admin_revoke_user_sessions(pupil.id)).send();
    assert_error(
        revoke().await.unwrap(),
        StatusCode::FORBIDDEN,
        ErrorCode::ReauthenticationRequired,
    )
    .await;
    let proved = bearer(Method::POST, paths::REAUTHENTICATE)
        .json(&password(PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(proved.status(), StatusCode::NO_CONTENT);
    assert_eq!(revoke().await.unwrap().status(), StatusCode::OK);
}
