//! The caller's own sessions and audit events.

use hallpass_server::config::CacheBackend;
use hallpass_shared::{
    DeviceKind, ErrorCode, EventKind, Page, Role, SessionEventView, SessionId, SessionList, paths,
};
use reqwest::StatusCode;

use crate::support::{assert_error, clears_cookie, spawn_app};

#[tokio::test]
async fn sessions_list_only_the_callers_own_with_parsed_platform() {
    let app = spawn_app(CacheBackend::Memory).await;
    let student = app.student().await;
    let phone = student.second_device().await;
    let teacher = app.logged_in(Role::Teacher).await;

    let listed: SessionList = phone.get_json(paths::SESSIONS).await;
    assert_eq!(listed.sessions.len(), 2);
    let current = listed
        .sessions
        .iter()
        .find(|session| session.is_current)
        .unwrap();
    assert_eq!(current.browser, "Firefox 120.0");
    assert_eq!(current.os, "Linux");
    assert_eq!(current.device, DeviceKind::Computer);
    assert_eq!(current.ip_address, "127.0.0.1");
    assert_eq!(
        teacher
            .get_json::<SessionList>(paths::SESSIONS)
            .await
            .sessions
            .len(),
        1
    );
}

#[tokio::test]
async fn nobody_can_revoke_someone_elses_session() {
    let app = spawn_app(CacheBackend::Memory).await;
    let student = app.student().await;
    let victim = app.student().await;
    let victims_session = victim.current().await.session.id;
    assert_error(
        student.delete(&paths::session(victims_session)).await,
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
    assert_error(
        student.delete(&paths::session(SessionId::random())).await,
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
    assert_error(
        student.delete("/api/sessions/not-a-uuid").await,
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
    victim.current().await;
}

#[tokio::test]
async fn revoking_the_current_session_clears_the_cookie() {
    let app = spawn_app(CacheBackend::Memory).await;
    let student = app.student().await;
    let id = student.current().await.session.id;
    let response = student.delete(&paths::session(id)).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(clears_cookie(&response));
    assert_error(
        student.get(paths::SESSIONS).await,
        StatusCode::UNAUTHORIZED,
        ErrorCode::SessionInvalid,
    )
    .await;
}

#[tokio::test]
async fn own_events_are_paginated_newest_first() {
    let app = spawn_app(CacheBackend::Memory).await;
    let student = app.student().await;
    student.login().await; // second login: revokes the first session (logout) and creates another
    let other = app.student().await;

    let all: Page<SessionEventView> = student.get_json(paths::OWN_EVENTS).await;
    let kinds: Vec<EventKind> = all.items.iter().map(|event| event.kind).collect();
    assert_eq!(kinds.len(), 5, "{kinds:?}");
    assert!(all.next_cursor.is_none());
    assert!(all.items.windows(2).all(|pair| pair[0].at >= pair[1].at));
    assert!(
        all.items
            .iter()
            .all(|event| event.user_id == Some(student.id))
    );
    assert!(kinds.contains(&EventKind::SessionRevoked));

    let mut paged = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let query = cursor.as_ref().map_or_else(
            || "?limit=2".to_owned(),
            |cursor| format!("?limit=2&cursor={cursor}"),
        );
        let page: Page<SessionEventView> = student
            .get_json(&format!("{}{query}", paths::OWN_EVENTS))
            .await;
        assert!(page.items.len() <= 2);
        paged.extend(page.items);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(paged, all.items, "pages add up to the whole list, in order");

    let others: Page<SessionEventView> = other.get_json(paths::OWN_EVENTS).await;
    assert!(
        others
            .items
            .iter()
            .all(|event| event.user_id == Some(other.id))
    );
}

#[tokio::test]
async fn event_queries_are_validated() {
    let app = spawn_app(CacheBackend::Memory).await;
    let student = app.student().await;
    let cases = [
        (
            "?limit=0",
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::Validation,
        ),
        (
            "?limit=100000",
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::Validation,
        ),
        ("?limit=-1", StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
        (
            "?cursor=garbage",
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
        ),
    ];
    for (query, status, code) in cases {
        assert_error(
            student.get(&format!("{}{query}", paths::OWN_EVENTS)).await,
            status,
            code,
        )
        .await;
    }
    assert_error(
        app.anonymous().get(paths::OWN_EVENTS).await,
        StatusCode::UNAUTHORIZED,
        ErrorCode::SessionInvalid,
    )
    .await;
}

/// A browser whose session was ended elsewhere is told why: by its owner from another
/// device, by an admin, by a password change. Every cache backend gives the same answer.
#[tokio::test]
async fn a_revoked_session_is_told_why_it_ended() {
    use hallpass_shared::{ErrorBody, PasswordChange, RevokedReason};

    async fn reason_of(browser: &crate::support::TestUser) -> Option<RevokedReason> {
        let refused = browser.get(paths::CURRENT_SESSION).await;
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
        let body: ErrorBody = refused.json().await.unwrap();
        assert_eq!(body.error.code, ErrorCode::SessionRevoked);
        body.error.reason
    }

    for backend in [
        CacheBackend::Memory,
        CacheBackend::Redis,
        CacheBackend::Postgres,
    ] {
        let app = spawn_app(backend).await;
        let laptop = app.student().await;
        let phone = laptop.second_device().await;
        let phone_id = phone.current().await.session.id;
        assert_eq!(
            laptop.delete(&paths::session(phone_id)).await.status(),
            StatusCode::NO_CONTENT
        );
        assert_eq!(reason_of(&phone).await, Some(RevokedReason::User));

        let tablet = laptop.second_device().await;
        let tablet_id = tablet.current().await.session.id;
        let admin = app.logged_in(Role::Admin).await;
        assert_eq!(
            admin
                .delete(&paths::admin_session(tablet_id))
                .await
                .status(),
            StatusCode::NO_CONTENT
        );
        assert_eq!(reason_of(&tablet).await, Some(RevokedReason::Admin));

        let desktop = laptop.second_device().await;
        desktop.current().await;
        let change = PasswordChange {
            current_password: crate::support::PASSWORD.into(),
            new_password: "a much better passphrase".into(),
        };
        assert_eq!(
            laptop.post_json(paths::PASSWORD, &change).await.status(),
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            reason_of(&desktop).await,
            Some(RevokedReason::PasswordChange),
            "{backend:?}"
        );
    }
}
