//! School policy per role over HTTP: the defaults until an admin sets a policy; each
//! field validated in words; a change audited, in force on every instance within the
//! announcement's time, ending older sessions as `session_expired`; a role's session
//! limit at sign-in; a role change moving a user to the new role's policy.

use std::time::{Duration, Instant};

use hallpass_server::config::CacheBackend;
use hallpass_shared::{
    ErrorBody, ErrorCode, PolicyEffect, PolicyList, PolicySettings, Role, RolePolicyView,
    UpdateUser, paths,
};
use reqwest::StatusCode;

use crate::support::{TestApp, TestUser, assert_error, json, spawn_app};

const HOUR: u64 = 3600;

fn settings(lifetime: u64, idle: Option<u64>, max_sessions: u32) -> PolicySettings {
    PolicySettings {
        lifetime_seconds: lifetime,
        idle_timeout_seconds: idle,
        max_sessions,
    }
}

async fn put(admin: &TestUser, role: Role, body: &impl serde::Serialize) -> reqwest::Response {
    admin
        .client
        .put(admin.url(&paths::admin_policy(role)))
        .json(body)
        .send()
        .await
        .unwrap()
}

/// Makes every session of `user` `hours` older, as the database and the cache see it.
async fn age_sessions(app: &TestApp, user: &TestUser, hours: u64) {
    app.execute(&format!(
        "UPDATE user_sessions SET created = created - interval '{hours} hours', \
         last_seen_at = last_seen_at - interval '{hours} hours' WHERE user_id = '{}'",
        user.id
    ))
    .await;
    app.forget_cached(user).await;
}

#[tokio::test]
async fn every_role_lives_by_the_defaults_until_an_admin_sets_its_policy() {
    let app = spawn_app(CacheBackend::Memory).await;
    let admin = app.logged_in(Role::Admin).await;
    let list: PolicyList = admin.get_json(paths::ADMIN_POLICIES).await;
    let defaults = settings(
        app.settings.session_ttl.as_secs(),
        app.settings.idle_timeout.map(|idle| idle.as_secs()),
        app.settings.max_sessions_per_user,
    );
    assert_eq!(list.policies.len(), 3);
    for policy in &list.policies {
        assert!(policy.is_default, "{policy:?}");
        assert_eq!(policy.settings(), defaults);
    }

    let pupils = settings(8 * HOUR, Some(15 * 60), 3);
    let stored: RolePolicyView = json(put(&admin, Role::Student, &pupils).await).await;
    assert_eq!((stored.role, stored.is_default), (Role::Student, false));
    assert_eq!(stored.settings(), pupils);
    let list: PolicyList = admin.get_json(paths::ADMIN_POLICIES).await;
    let by_role = |role| list.policies.iter().find(|p| p.role == role).unwrap();
    assert_eq!(by_role(Role::Student).settings(), pupils);
    assert!(by_role(Role::Teacher).is_default);
    // Turned off, the idle timeout is stored off.
    let no_idle = settings(HOUR, None, 3);
    let stored: RolePolicyView = json(put(&admin, Role::Student, &no_idle).await).await;
    assert_eq!(stored.settings(), no_idle);
    let list: PolicyList = admin.get_json(paths::ADMIN_POLICIES).await;
    assert_eq!(list.policies[0].idle_timeout_seconds, None);

    // Only admins see or change policies.
    let teacher = app.logged_in(Role::Teacher).await;
    assert_error(
        teacher.get(paths::ADMIN_POLICIES).await,
        StatusCode::FORBIDDEN,
        ErrorCode::Forbidden,
    )
    .await;
    assert_error(
        put(&teacher, Role::Teacher, &pupils).await,
        StatusCode::FORBIDDEN,
        ErrorCode::Forbidden,
    )
    .await;
}

#[tokio::test]
async fn each_field_is_checked_and_refused_in_words() {
    let app = spawn_app(CacheBackend::Memory).await;
    let admin = app.logged_in(Role::Admin).await;
    let refused = [
        (settings(0, None, 5), "lifetime_seconds"),
        (settings(400 * 24 * HOUR + 1, None, 5), "lifetime_seconds"),
        (settings(HOUR, Some(0), 5), "idle_timeout_seconds"),
        (settings(HOUR, Some(HOUR), 5), "idle_timeout_seconds"),
        (settings(HOUR, None, 0), "max_sessions"),
        (settings(HOUR, None, 1001), "max_sessions"),
    ];
    for (body, field) in refused {
        let response = put(&admin, Role::Student, &body).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body:?}"
        );
        let error: ErrorBody = response.json().await.unwrap();
        assert_eq!(error.error.code, ErrorCode::Validation);
        assert!(
            error.error.message.starts_with(field),
            "{body:?}: {}",
            error.error.message
        );
        let effect = admin
            .get(&format!(
                "{}?lifetime_seconds={}&max_sessions={}",
                paths::admin_policy_effect(Role::Student),
                body.lifetime_seconds,
                body.max_sessions
            ))
            .await;
        if field != "idle_timeout_seconds" {
            assert_eq!(
                effect.status(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "{body:?}"
            );
        }
    }
    // The idle timeout must be given, if only as null; a role must exist.
    let missing = serde_json::json!({ "lifetime_seconds": 3600, "max_sessions": 5 });
    assert_eq!(
        put(&admin, Role::Student, &missing).await.status(),
        StatusCode::BAD_REQUEST
    );
    let unknown = admin
        .client
        .put(admin.url(&format!("{}/janitor", paths::ADMIN_POLICIES)))
        .json(&settings(HOUR, None, 5))
        .send()
        .await
        .unwrap();
    assert_error(unknown, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
    let list: PolicyList = admin.get_json(paths::ADMIN_POLICIES).await;
    assert!(
        list.policies.iter().all(|policy| policy.is_default),
        "nothing changed"
    );
}

#[tokio::test]
async fn a_shorter_lifetime_ends_older_sessions_as_expired_said_before_and_audited() {
    let app = spawn_app(CacheBackend::Postgres).await;
    let admin = app.logged_in(Role::Admin).await;
    let (old, fresh, teacher) = (
        app.student().await,
        app.student().await,
        app.logged_in(Role::Teacher).await,
    );
    age_sessions(&app, &old, 9).await;
    age_sessions(&app, &teacher, 9).await;

    let eight_hours = settings(8 * HOUR, None, 100);
    let effect: PolicyEffect = admin
        .get_json(&format!(
            "{}?lifetime_seconds={}&max_sessions=100",
            paths::admin_policy_effect(Role::Student),
            8 * HOUR
        ))
        .await;
    assert_eq!(effect.sessions_ending, 1, "said before saving");
    assert_eq!(
        put(&admin, Role::Student, &eight_hours).await.status(),
        StatusCode::OK
    );

    let cookie = old.cookie().unwrap();
    old.assert_signed_out(ErrorCode::SessionExpired).await;
    assert_eq!(
        fresh.get(paths::CURRENT_SESSION).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        teacher.get(paths::CURRENT_SESSION).await.status(),
        StatusCode::OK
    );
    // Lengthened again, the ended session stays ended.
    put(&admin, Role::Student, &settings(30 * 24 * HOUR, None, 100)).await;
    old.set_cookie(&cookie);
    old.assert_signed_out(ErrorCode::SessionExpired).await;

    let events = app
        .rows("SELECT detail FROM session_events WHERE kind = 'policy_changed' ORDER BY at")
        .await;
    assert_eq!(events.len(), 2);
    let first = &events[0]["detail"];
    assert_eq!(first["by"], admin.id.to_string());
    assert_eq!(first["role"], "student");
    assert_eq!(
        first["policy"]["from"]["lifetime_seconds"],
        app.settings.session_ttl.as_secs()
    );
    assert_eq!(first["policy"]["to"]["lifetime_seconds"], 8 * HOUR);
    assert_eq!(first["sessions_ended"], 1);
}

#[tokio::test]
async fn a_change_reaches_another_instance_at_once() {
    let app = spawn_app(CacheBackend::Redis).await;
    let other = app.second_instance().await;
    let admin = app.logged_in(Role::Admin).await;
    let pupil = app.student().await;
    let there = app.via(&pupil, &other);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(
        there.get(paths::CURRENT_SESSION).await.status(),
        StatusCode::OK
    );

    // A one-second lifetime: the pupil's session is older than that.
    let changed = Instant::now();
    assert_eq!(
        put(&admin, Role::Student, &settings(1, None, 5))
            .await
            .status(),
        StatusCode::OK
    );
    loop {
        let response = there.get(paths::CURRENT_SESSION).await;
        if response.status() == StatusCode::UNAUTHORIZED {
            assert_error(
                response,
                StatusCode::UNAUTHORIZED,
                ErrorCode::SessionExpired,
            )
            .await;
            break;
        }
        // Well within the periodic reload (10 s): only the announcement explains it.
        assert!(
            changed.elapsed() < Duration::from_secs(2),
            "the other instance still accepts it"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn a_lower_limit_ends_the_oldest_sessions_at_the_next_sign_in() {
    let app = spawn_app(CacheBackend::Redis).await;
    let admin = app.logged_in(Role::Admin).await;
    let pupil = app.student().await;
    let tablet = pupil.second_device().await;
    put(&admin, Role::Student, &settings(24 * HOUR, None, 2)).await;
    assert_eq!(
        pupil.get(paths::CURRENT_SESSION).await.status(),
        StatusCode::OK
    );
    pupil.second_device().await;
    pupil.assert_signed_out(ErrorCode::SessionRevoked).await;
    assert_eq!(
        tablet.get(paths::CURRENT_SESSION).await.status(),
        StatusCode::OK
    );
    let ended = app
        .rows(&format!(
            "SELECT revoked_reason FROM user_sessions WHERE user_id = '{}' AND NOT is_active",
            pupil.id
        ))
        .await;
    assert_eq!(ended.len(), 1);
    assert_eq!(ended[0]["revoked_reason"], "session_limit");
}

#[tokio::test]
async fn a_role_change_moves_the_user_to_the_new_roles_policy() {
    let app = spawn_app(CacheBackend::Redis).await;
    let admin = app.logged_in(Role::Admin).await;
    put(&admin, Role::Student, &settings(8 * HOUR, None, 5)).await;
    let teacher = app.logged_in(Role::Teacher).await;
    age_sessions(&app, &teacher, 9).await;
    assert_eq!(
        teacher.get(paths::CURRENT_SESSION).await.status(),
        StatusCode::OK
    );
    let demote = UpdateUser {
        role: Some(Role::Student),
        ..UpdateUser::default()
    };
    let response = admin
        .client
        .patch(admin.url(&paths::admin_user(teacher.id)))
        .json(&demote)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    teacher.assert_signed_out(ErrorCode::SessionExpired).await;
}
