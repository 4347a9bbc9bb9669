//! Admin oversight: users, any user's sessions, the audit trail; each route for each role.

use hallpass_server::config::CacheBackend;
use hallpass_shared::{
    CreateUser, ErrorCode, EventKind, ListedUser, OpenedBy, Page, PasswordChange,
    RevokeOthersResponse, RevokedReason, Role, SessionEventView, SessionId, SessionList, UserId,
    UserView, paths,
};
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::support::{PASSWORD, TestUser, assert_error, json, spawn_app};

crate::on_every_backend!(
    deactivation_signs_the_user_out_at_once,
    role_changes_show_on_the_next_request,
    a_demanded_password_holds_every_session_until_it_is_chosen
);

async fn deactivation_signs_the_user_out_at_once(backend: CacheBackend) {
    let app = spawn_app(backend).await;
    let admin = app.logged_in(Role::Admin).await;
    let student = app.student().await;
    let phone = student.second_device().await;
    student.current().await;
    phone.current().await;

    let off: UserView = json(patch(&admin, student.id, &json!({ "is_active": false })).await).await;
    assert!(!off.is_active);
    student.assert_signed_out(ErrorCode::UserInactive).await;
    phone.assert_signed_out(ErrorCode::UserInactive).await;
    assert_error(
        student.login_with(PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        ErrorCode::UserInactive,
    )
    .await;
    let reasons = app
        .rows(&format!(
            "SELECT DISTINCT revoked_reason FROM user_sessions WHERE user_id = '{}'",
            student.id
        ))
        .await;
    assert_eq!(
        reasons,
        vec![json!({ "revoked_reason": "user_deactivated" })]
    );

    let on: UserView = json(patch(&admin, student.id, &json!({ "is_active": true })).await).await;
    assert!(on.is_active);
    student.login().await;
    let kinds = kinds_of(&admin, student.id).await;
    assert!(
        kinds.contains(&EventKind::UserDeactivated) && kinds.contains(&EventKind::UserReactivated)
    );
}

/// While an admin demands a new password, the user's sessions (open ones from their next
/// request, and new sign-ins) may read the session, record it, sign out and change the
/// password, nothing else; the user's own change lifts the demand.
async fn a_demanded_password_holds_every_session_until_it_is_chosen(backend: CacheBackend) {
    let app = spawn_app(backend).await;
    let admin = app.logged_in(Role::Admin).await;
    let student = app.logged_in(Role::Student).await;
    let phone = student.second_device().await;
    assert_eq!(student.get(paths::SESSIONS).await.status(), StatusCode::OK);

    let demanded: UserView =
        json(patch(&admin, student.id, &json!({ "must_change_password": true })).await).await;
    assert!(demanded.must_change_password);
    for browser in [&student, &phone] {
        assert!(browser.current().await.user.must_change_password);
        assert_error(
            browser.get(paths::SESSIONS).await,
            StatusCode::FORBIDDEN,
            ErrorCode::PasswordChangeRequired,
        )
        .await;
    }
    assert_eq!(
        student.post(paths::ENSURE_SESSION).await.status(),
        StatusCode::OK
    );
    let listed: Page<ListedUser> = admin
        .get_json(&format!("{}?q={}", paths::ADMIN_USERS, student.email))
        .await;
    assert!(listed.items[0].must_change_password);

    // A new sign-in is held the same way.
    assert_eq!(phone.login_with(PASSWORD).await.status(), StatusCode::OK);
    assert_error(
        phone.get(paths::SESSIONS).await,
        StatusCode::FORBIDDEN,
        ErrorCode::PasswordChangeRequired,
    )
    .await;

    let change = PasswordChange {
        current_password: PASSWORD.into(),
        new_password: "one chosen by the student".into(),
    };
    assert_eq!(
        student.post_json(paths::PASSWORD, &change).await.status(),
        StatusCode::NO_CONTENT
    );
    assert!(!student.current().await.user.must_change_password);
    assert_eq!(student.get(paths::SESSIONS).await.status(), StatusCode::OK);

    // Demanded, then lifted by the admin.
    for must in [true, false] {
        json::<UserView>(patch(&admin, student.id, &json!({ "must_change_password": must })).await)
            .await;
    }
    assert_eq!(student.get(paths::SESSIONS).await.status(), StatusCode::OK);
    let trail: Page<SessionEventView> = admin
        .get_json(&format!(
            "{}?user_id={}&kind=user_updated",
            paths::ADMIN_EVENTS,
            student.id
        ))
        .await;
    let demands: Vec<_> = trail
        .items
        .iter()
        .map(|event| event.facts.must_change_password)
        .collect();
    assert_eq!(demands, [Some(false), Some(true), Some(true)]);
    assert_eq!(
        trail.items[2].actor_email.as_deref(),
        Some(admin.email.as_str())
    );
}

async fn role_changes_show_on_the_next_request(backend: CacheBackend) {
    let app = spawn_app(backend).await;
    let admin = app.logged_in(Role::Admin).await;
    let student = app.student().await;
    assert_eq!(student.current().await.user.role, Role::Student);
    json::<UserView>(
        patch(
            &admin,
            student.id,
            &json!({ "role": "teacher", "name": "Ms Ada" }),
        )
        .await,
    )
    .await;
    let now = student.current().await.user;
    assert_eq!((now.role, now.name.as_str()), (Role::Teacher, "Ms Ada"));
    let updates: Page<SessionEventView> = admin
        .get_json(&format!(
            "{}?user_id={}&kind=user_updated",
            paths::ADMIN_EVENTS,
            student.id
        ))
        .await;
    assert_eq!(updates.items.len(), 1);
    let detail = &updates.items[0].detail;
    assert_eq!(detail["by"], json!(admin.id));
    assert_eq!(
        detail["role"],
        json!({ "from": "student", "to": "teacher" })
    );
    assert_eq!(detail["name"]["to"], "Ms Ada");
}

async fn patch(admin: &TestUser, id: UserId, body: &serde_json::Value) -> reqwest::Response {
    admin
        .client
        .patch(admin.url(&paths::admin_user(id)))
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn kinds_of(admin: &TestUser, user: UserId) -> Vec<EventKind> {
    let page: Page<SessionEventView> = admin
        .get_json(&format!("{}?user_id={user}&limit=200", paths::ADMIN_EVENTS))
        .await;
    page.items.into_iter().map(|event| event.kind).collect()
}

#[tokio::test]
async fn only_admins_may_use_admin_routes() {
    let app = spawn_app(CacheBackend::Memory).await;
    let student = app.student().await;
    let teacher = app.logged_in(Role::Teacher).await;
    let nobody = app.anonymous();
    let someone = UserId::random();
    for caller in [&student, &teacher, &nobody] {
        let expected = if caller.email.is_empty() {
            (StatusCode::UNAUTHORIZED, ErrorCode::SessionInvalid)
        } else {
            (StatusCode::FORBIDDEN, ErrorCode::Forbidden)
        };
        let requests = [
            caller.client.get(caller.url(paths::ADMIN_USERS)),
            caller
                .client
                .post(caller.url(paths::ADMIN_USERS))
                .json(&json!({})),
            caller
                .client
                .patch(caller.url(&paths::admin_user(someone)))
                .json(&json!({ "is_active": false })),
            caller
                .client
                .get(caller.url(&paths::admin_user_sessions(someone))),
            caller
                .client
                .post(caller.url(&paths::admin_revoke_user_sessions(someone))),
            caller
                .client
                .post(caller.url(&paths::admin_user_password(someone)))
                .json(&json!({ "password": "a new password for you" })),
            caller
                .client
                .delete(caller.url(&paths::admin_session(SessionId(someone.0)))),
            caller.client.get(caller.url(paths::ADMIN_EVENTS)),
        ];
        for request in requests {
            assert_error(request.send().await.unwrap(), expected.0, expected.1).await;
        }
    }
}

#[tokio::test]
async fn admins_create_users_who_can_then_log_in() {
    let app = spawn_app(CacheBackend::Memory).await;
    let admin = app.logged_in(Role::Admin).await;
    let request = CreateUser {
        email: "New.Teacher@School.example.org".into(),
        name: "New Teacher".into(),
        role: Role::Teacher,
        password: "a long enough password".into(),
    };
    let created = admin.post_json(paths::ADMIN_USERS, &request).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let user: UserView = created.json().await.unwrap();
    assert_eq!(
        (user.email.as_str(), user.role),
        ("new.teacher@school.example.org", Role::Teacher)
    );
    assert_error(
        admin.post_json(paths::ADMIN_USERS, &request).await,
        StatusCode::CONFLICT,
        ErrorCode::Conflict,
    )
    .await;

    for (field, bad) in [
        ("email", json!("nope")),
        ("name", json!("  ")),
        ("password", json!("short")),
    ] {
        let mut body = serde_json::to_value(&request).unwrap();
        body["email"] = json!(format!("{}@school.example.org", Uuid::new_v4().simple()));
        body[field] = bad;
        assert_error(
            admin.post_json(paths::ADMIN_USERS, &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::Validation,
        )
        .await;
    }
    let mut bad_role = serde_json::to_value(&request).unwrap();
    bad_role["role"] = json!("janitor");
    assert_error(
        admin.post_json(paths::ADMIN_USERS, &bad_role).await,
        StatusCode::BAD_REQUEST,
        ErrorCode::BadRequest,
    )
    .await;

    let login = app
        .anonymous()
        .post_json(
            paths::LOGIN,
            &json!({ "email": request.email, "password": request.password }),
        )
        .await;
    assert_eq!(login.status(), StatusCode::OK);
    let events: Page<SessionEventView> = admin
        .get_json(&format!("{}?kind=user_created", paths::ADMIN_EVENTS))
        .await;
    assert_eq!(events.items.len(), 1);
    assert_eq!(events.items[0].detail["by"], json!(admin.id));
}

/// Counting every match would cost a scan of a district's users on every page: the
/// count stops past `COUNT_CAP` and says "more than".
#[tokio::test]
async fn the_user_count_stops_at_its_cap() {
    let app = spawn_app(CacheBackend::Memory).await;
    let admin = app.logged_in(Role::Admin).await;
    let cap = hallpass_server::domain::users::COUNT_CAP;
    app.execute(&format!(
        "INSERT INTO users (email, name, role, password_hash)
         SELECT 'many' || n || '@school.example.org', 'Many ' || n, 'student', 'not a hash'
         FROM generate_series(1, {cap}) n"
    ))
    .await;
    let everyone: Page<UserView> = admin.get_json(paths::ADMIN_USERS).await;
    assert_eq!(
        (everyone.total, everyone.more_than_total),
        (Some(cap), true)
    );
    let exactly_cap: Page<UserView> = admin
        .get_json(&format!("{}?q=many", paths::ADMIN_USERS))
        .await;
    assert_eq!(
        (exactly_cap.total, exactly_cap.more_than_total),
        (Some(cap), false),
        "exactly the cap is still exact"
    );
}

#[tokio::test]
async fn user_search_and_keyset_pages_with_a_total() {
    let app = spawn_app(CacheBackend::Memory).await;
    let admin = app.logged_in(Role::Admin).await;
    for n in 0..5 {
        let body = CreateUser {
            email: format!("pupil{n}@school.example.org"),
            name: format!("Pupil {n}"),
            role: Role::Student,
            password: PASSWORD.into(),
        };
        assert_eq!(
            admin.post_json(paths::ADMIN_USERS, &body).await.status(),
            StatusCode::CREATED
        );
    }
    let admin_ref = &admin;
    let page = |query: String| {
        let (admin, path) = (admin_ref, format!("{}?{query}", paths::ADMIN_USERS));
        async move { admin.get_json::<Page<UserView>>(&path).await }
    };

    let empty = page("q=nobody-matches".into()).await;
    assert!(empty.items.is_empty() && empty.next_cursor.is_none());
    assert_eq!((empty.total, empty.more_than_total), (Some(0), false));

    let exact = page("q=pupil&limit=5".into()).await;
    assert_eq!((exact.items.len(), exact.total), (5, Some(5)));
    assert!(exact.next_cursor.is_none(), "exactly one page");

    let mut seen = Vec::new();
    let mut cursor = None::<String>;
    loop {
        let query = cursor.map_or_else(
            || "q=PUPIL&limit=2".to_owned(),
            |cursor| format!("q=PUPIL&limit=2&cursor={cursor}"),
        );
        let current = page(query).await;
        assert_eq!(current.total, Some(5));
        seen.extend(current.items.into_iter().map(|user| user.email));
        cursor = current.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    let expected: Vec<String> = (0..5)
        .map(|n| format!("pupil{n}@school.example.org"))
        .collect();
    assert_eq!(seen, expected, "many pages, in email order, nothing twice");

    let by_name = page("q=pupil%203".into()).await;
    assert_eq!(by_name.items.len(), 1);
    let wildcard = page("q=%25".into()).await;
    assert_eq!(wildcard.total, Some(0), "a % in the search is a literal %");

    let other_query = page("q=pupil&limit=1".into()).await.next_cursor.unwrap();
    let foreign = admin
        .get(&format!(
            "{}?q=school&cursor={other_query}",
            paths::ADMIN_USERS
        ))
        .await;
    assert_error(foreign, StatusCode::BAD_REQUEST, ErrorCode::BadRequest).await;
    assert_error(
        admin.get(&format!("{}?limit=0", paths::ADMIN_USERS)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::Validation,
    )
    .await;
}

#[tokio::test]
async fn the_last_active_admin_cannot_be_removed() {
    let app = spawn_app(CacheBackend::Memory).await;
    let admin = app.logged_in(Role::Admin).await;
    for change in [json!({ "is_active": false }), json!({ "role": "teacher" })] {
        assert_error(
            patch(&admin, admin.id, &change).await,
            StatusCode::CONFLICT,
            ErrorCode::LastAdmin,
        )
        .await;
    }
    admin.current().await;
    let second = app.logged_in(Role::Admin).await;
    json::<UserView>(patch(&admin, second.id, &json!({ "role": "teacher" })).await).await;
    assert_error(
        patch(&admin, admin.id, &json!({ "role": "student" })).await,
        StatusCode::CONFLICT,
        ErrorCode::LastAdmin,
    )
    .await;
    json::<UserView>(patch(&admin, second.id, &json!({ "role": "admin" })).await).await;
    json::<UserView>(patch(&admin, admin.id, &json!({ "role": "teacher" })).await).await;
    // Demoted, the former admin keeps their session but loses the admin routes.
    assert_error(
        admin.get(paths::ADMIN_USERS).await,
        StatusCode::FORBIDDEN,
        ErrorCode::Forbidden,
    )
    .await;
}

#[tokio::test]
async fn patch_bodies_are_validated() {
    let app = spawn_app(CacheBackend::Memory).await;
    let admin = app.logged_in(Role::Admin).await;
    let student = app.user(Role::Student).await;
    assert_error(
        patch(&admin, student.id, &json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::Validation,
    )
    .await;
    assert_error(
        patch(&admin, student.id, &json!({ "name": "" })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::Validation,
    )
    .await;
    assert_error(
        patch(&admin, student.id, &json!({ "colour": "red" })).await,
        StatusCode::BAD_REQUEST,
        ErrorCode::BadRequest,
    )
    .await;
    assert_error(
        patch(&admin, student.id, &json!({ "role": "root" })).await,
        StatusCode::BAD_REQUEST,
        ErrorCode::BadRequest,
    )
    .await;
    assert_error(
        patch(&admin, UserId::random(), &json!({ "is_active": false })).await,
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
}

#[tokio::test]
async fn admins_see_and_revoke_any_users_sessions() {
    let app = spawn_app(CacheBackend::Redis).await;
    let admin = app.logged_in(Role::Admin).await;
    let student = app.student().await;
    let phone = student.second_device().await;
    phone.current().await;

    let listed: SessionList = admin
        .get_json(&paths::admin_user_sessions(student.id))
        .await;
    assert_eq!(listed.sessions.len(), 2);
    assert!(listed.sessions.iter().all(|session| !session.is_current));
    let phone_session = phone.current().await.session.id;
    assert_eq!(
        admin
            .delete(&paths::admin_session(phone_session))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    phone.assert_signed_out(ErrorCode::SessionRevoked).await;
    student.current().await;
    assert_error(
        admin.delete(&paths::admin_session(phone_session)).await,
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;

    let all: RevokeOthersResponse = json(
        admin
            .post(&paths::admin_revoke_user_sessions(student.id))
            .await,
    )
    .await;
    assert_eq!(all.revoked, 1);
    student.assert_signed_out(ErrorCode::SessionRevoked).await;
    assert_error(
        admin
            .get(&paths::admin_user_sessions(UserId::random()))
            .await,
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
    assert_error(
        admin
            .post(&paths::admin_revoke_user_sessions(UserId::random()))
            .await,
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;

    let revocations: Page<SessionEventView> = admin
        .get_json(&format!(
            "{}?user_id={}&kind=session_revoked",
            paths::ADMIN_EVENTS,
            student.id
        ))
        .await;
    assert_eq!(revocations.items.len(), 2);
    assert!(revocations.items.iter().all(|event| event.detail["by"] == json!(admin.id) && event.detail["reason"] == "admin"));
}

#[tokio::test]
async fn the_audit_trail_filters_by_user_session_kind_and_time() {
    let app = spawn_app(CacheBackend::Memory).await;
    let admin = app.logged_in(Role::Admin).await;
    let student = app.student().await;
    let session = student.current().await.session.id;
    assert_eq!(
        student.post(paths::LOGOUT).await.status(),
        StatusCode::NO_CONTENT
    );
    let admin_ref = &admin;
    let events = |query: String| {
        let (admin, path) = (admin_ref, format!("{}?{query}", paths::ADMIN_EVENTS));
        async move { admin.get_json::<Page<SessionEventView>>(&path).await }
    };

    let everything = events("limit=200".into()).await;
    assert!(
        everything
            .items
            .iter()
            .any(|event| event.user_id == Some(admin.id))
    );
    assert!(
        everything
            .items
            .windows(2)
            .all(|pair| pair[0].at >= pair[1].at),
        "newest first"
    );

    let of_session = events(format!("session_id={session}")).await;
    let kinds: Vec<EventKind> = of_session.items.iter().map(|event| event.kind).collect();
    assert_eq!(
        kinds,
        vec![
            EventKind::SessionRevoked,
            EventKind::SessionCreated,
            EventKind::LoginSucceeded
        ]
    );

    let logins = events(format!("user_id={}&kind=login_succeeded", student.id)).await;
    assert_eq!(logins.items.len(), 1);
    assert_eq!(
        logins.items[0].user_email.as_deref(),
        Some(student.email.as_str()),
        "the trail names the user"
    );
    let at = logins.items[0].at;
    let from = events(format!("user_id={}&from={}", student.id, urlencode(at))).await;
    assert!(from.items.iter().all(|event| event.at >= at));
    let before = events(format!("user_id={}&to={}", student.id, urlencode(at))).await;
    assert!(before.items.iter().all(|event| event.at < at));
    assert_eq!(from.items.len() + before.items.len(), 3);

    let first = events(format!("user_id={}&limit=1", student.id)).await;
    let foreign = admin
        .get(&format!(
            "{}?kind=login_failed&cursor={}",
            paths::ADMIN_EVENTS,
            first.next_cursor.unwrap()
        ))
        .await;
    assert_error(foreign, StatusCode::BAD_REQUEST, ErrorCode::BadRequest).await;
    let backwards = admin
        .get(&format!(
            "{}?from={}&to={}",
            paths::ADMIN_EVENTS,
            urlencode(at),
            urlencode(at)
        ))
        .await;
    assert_error(
        backwards,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::Validation,
    )
    .await;
    assert_error(
        admin
            .get(&format!("{}?kind=coffee_break", paths::ADMIN_EVENTS))
            .await,
        StatusCode::BAD_REQUEST,
        ErrorCode::BadRequest,
    )
    .await;
}

fn urlencode(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
        .replace('+', "%2B")
        .replace(':', "%3A")
}

#[tokio::test]
async fn no_event_ever_holds_a_secret() {
    let app = spawn_app(CacheBackend::Memory).await;
    let admin = app.logged_in(Role::Admin).await;
    let token = app.token_of(&admin);
    let body = CreateUser {
        email: "x@school.example.org".into(),
        name: "X".into(),
        role: Role::Student,
        password: "a secret passphrase".into(),
    };
    admin.post_json(paths::ADMIN_USERS, &body).await;
    let page: Page<SessionEventView> = admin
        .get_json(&format!("{}?limit=200", paths::ADMIN_EVENTS))
        .await;
    let text = serde_json::to_string(&page).unwrap();
    for secret in [
        token.as_str(),
        "a secret passphrase",
        PASSWORD,
        "hallpass_session",
    ] {
        assert!(!text.contains(secret), "{secret} leaked into events");
    }
}

/// Events done by someone name them by email: an admin's revocation in the user's own
/// activity and in the trail, the user's own revocation; events nobody did name nobody.
#[tokio::test]
async fn the_trail_names_who_did_it() {
    let app = spawn_app(CacheBackend::Memory).await;
    let admin = app.logged_in(Role::Admin).await;
    let student = app.student().await;
    let phone = student.second_device().await;
    let phone_id = phone.current().await.session.id;
    let tablet = student.second_device().await;
    let tablet_id = tablet.current().await.session.id;
    assert_eq!(
        admin.delete(&paths::admin_session(phone_id)).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        student.delete(&paths::session(tablet_id)).await.status(),
        StatusCode::NO_CONTENT
    );
    let own: Page<SessionEventView> = student.get_json(paths::OWN_EVENTS).await;
    let actor_of = |session: SessionId| {
        own.items
            .iter()
            .find(|event| {
                event.kind == EventKind::SessionRevoked && event.session_id == Some(session)
            })
            .map(|event| event.actor_email.clone())
    };
    assert_eq!(actor_of(phone_id), Some(Some(admin.email.clone())));
    assert_eq!(actor_of(tablet_id), Some(Some(student.email.clone())));
    let login = own
        .items
        .iter()
        .find(|event| event.kind == EventKind::LoginSucceeded)
        .unwrap();
    assert_eq!(login.actor_email, None);
    let trail: Page<SessionEventView> = admin
        .get_json(&format!("{}?kind=session_revoked", paths::ADMIN_EVENTS))
        .await;
    assert!(
        trail
            .items
            .iter()
            .any(|event| event.actor_email.as_deref() == Some(admin.email.as_str()))
    );
}

/// Readers build sentences from `facts` and the people named, never from `detail`: a role
/// change, a rename, the sessions one admin action signed out, a password change's count.
#[tokio::test]
async fn the_trail_carries_what_its_sentences_need() {
    let app = spawn_app(CacheBackend::Memory).await;
    let admin = app.logged_in(Role::Admin).await;
    let student = app.student().await;
    let phone = student.second_device().await;
    let tablet = student.second_device().await;
    tablet.current().await;
    let changed = patch(
        &admin,
        student.id,
        &json!({ "role": "teacher", "name": "Ann Martin" }),
    )
    .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let change = PasswordChange {
        current_password: PASSWORD.into(),
        new_password: "a much better passphrase".into(),
    };
    assert_eq!(
        phone.post_json(paths::PASSWORD, &change).await.status(),
        StatusCode::NO_CONTENT
    );

    let own: Page<SessionEventView> = phone.get_json(paths::OWN_EVENTS).await;
    let of_kind = |kind| own.items.iter().find(|event| event.kind == kind).unwrap();
    let updated = of_kind(EventKind::UserUpdated);
    assert_eq!(updated.actor_name.as_deref(), Some("Test admin"));
    assert_eq!(
        (updated.facts.previous_role, updated.facts.role),
        (Some(Role::Student), Some(Role::Teacher))
    );
    assert!(updated.facts.renamed);
    assert_eq!(updated.facts.name.as_deref(), Some("Ann Martin"));
    // The student's first session and the tablet went; the phone was opened again.
    assert_eq!(
        of_kind(EventKind::PasswordChanged).facts.signed_out,
        Some(2)
    );
    let revoked = of_kind(EventKind::SessionRevoked);
    assert_eq!(
        revoked.facts.revoked_reason,
        Some(RevokedReason::PasswordChange)
    );
    let reopened = own
        .items
        .iter()
        .find(|event| event.facts.opened_by == Some(OpenedBy::PasswordChange))
        .unwrap();
    assert_eq!(reopened.kind, EventKind::SessionCreated);
    let signed_in = of_kind(EventKind::LoginSucceeded);
    assert!(signed_in.facts.browser.is_some() || signed_in.facts.os.is_some());
}

/// The users table filters by role and status, orders by name or by last sign-in (users
/// who never signed in last), a page at a time, and shows each user's open sessions.
#[tokio::test]
async fn users_filter_and_sort_and_count_their_sessions() {
    let app = spawn_app(CacheBackend::Memory).await;
    let admin = app.logged_in(Role::Admin).await;
    let teacher = app.logged_in(Role::Teacher).await;
    let student = app.logged_in(Role::Student).await;
    student.second_device().await;
    let never = app.user(Role::Student).await;
    assert_eq!(
        patch(
            &admin,
            never.id,
            &json!({ "is_active": false, "name": "Aaron Away" })
        )
        .await
        .status(),
        StatusCode::OK
    );
    let list = |query: &str| {
        let path = format!("{}?{query}", paths::ADMIN_USERS);
        let admin = &admin;
        async move { admin.get_json::<Page<ListedUser>>(&path).await }
    };
    let emails = |page: &Page<ListedUser>| -> Vec<String> {
        page.items
            .iter()
            .map(|listed| listed.email.clone())
            .collect()
    };

    let students = list("role=student").await;
    assert_eq!(students.total, Some(2));
    assert!(
        students
            .items
            .iter()
            .all(|listed| listed.role == Role::Student)
    );
    let away = list("active=false").await;
    assert_eq!(emails(&away), std::slice::from_ref(&never.email));
    let by_name = list("sort=name").await;
    assert_eq!(by_name.items[0].name, "Aaron Away");

    // Most recent sign-in first, one user a page, never-signed-in last.
    let mut order = Vec::new();
    let mut cursor = None::<String>;
    loop {
        let query = match &cursor {
            Some(cursor) => format!("sort=last_sign_in&limit=1&cursor={cursor}"),
            None => "sort=last_sign_in&limit=1".into(),
        };
        let page = list(&query).await;
        order.extend(page.items);
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    let order_emails: Vec<&str> = order.iter().map(|listed| listed.email.as_str()).collect();
    assert_eq!(
        order_emails,
        [&student.email, &teacher.email, &admin.email, &never.email].map(String::as_str)
    );
    assert!(order[0].last_sign_in_at > order[1].last_sign_in_at);
    assert_eq!(order[3].last_sign_in_at, None);
    let sessions: Vec<u64> = order.iter().map(|listed| listed.active_sessions).collect();
    assert_eq!(sessions, [2, 1, 1, 0]);

    // A cursor belongs to its order and filters.
    let first = list("sort=name&limit=1").await;
    let foreign = admin
        .get(&format!(
            "{}?sort=last_sign_in&limit=1&cursor={}",
            paths::ADMIN_USERS,
            first.next_cursor.unwrap()
        ))
        .await;
    assert_error(foreign, StatusCode::BAD_REQUEST, ErrorCode::BadRequest).await;
}

/// An admin corrects a user's name and email (trimmed, lower-cased): the user's open
/// sessions show it on the next request, a taken or malformed email is refused, and the
/// trail says from what to what.
#[tokio::test]
async fn an_admin_edits_a_users_name_and_email() {
    let app = spawn_app(CacheBackend::Redis).await;
    let admin = app.logged_in(Role::Admin).await;
    let student = app.logged_in(Role::Student).await;
    let other = app.user(Role::Student).await;
    student.current().await;
    let new_email = format!("renamed-{}@school.example.org", Uuid::new_v4().simple());
    let edited: UserView = json(
        patch(
            &admin,
            student.id,
            &json!({ "name": "Ann Martin", "email": format!("  {}  ", new_email.to_uppercase()) }),
        )
        .await,
    )
    .await;
    assert_eq!(
        (edited.name.as_str(), edited.email.as_str()),
        ("Ann Martin", new_email.as_str())
    );
    assert_eq!(student.current().await.user.email, new_email);

    let taken = patch(&admin, other.id, &json!({ "email": new_email.clone() })).await;
    assert_error(taken, StatusCode::CONFLICT, ErrorCode::Conflict).await;
    let invalid = patch(&admin, other.id, &json!({ "email": "not an email" })).await;
    assert_error(
        invalid,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::Validation,
    )
    .await;

    let trail: Page<SessionEventView> = admin
        .get_json(&format!(
            "{}?kind=user_updated&user_id={}",
            paths::ADMIN_EVENTS,
            student.id
        ))
        .await;
    let facts = &trail.items[0].facts;
    assert_eq!(facts.email.as_deref(), Some(new_email.as_str()));
    assert_eq!(
        facts.previous_email.as_deref(),
        Some(student.email.as_str())
    );
    assert_eq!(facts.name.as_deref(), Some("Ann Martin"));
}

/// An admin gives a user a new password: every session of the user ends at once and is
/// told why, the old password stops working and the new one works, and the trail says
/// who did it and how many sessions it ended.
#[tokio::test]
async fn an_admin_sets_a_users_password() {
    let app = spawn_app(CacheBackend::Redis).await;
    let admin = app.logged_in(Role::Admin).await;
    let student = app.logged_in(Role::Student).await;
    let phone = student.second_device().await;
    phone.current().await;
    let fresh = "a password the office gave";

    let weak = admin
        .post_json(
            &paths::admin_user_password(student.id),
            &json!({ "password": "short" }),
        )
        .await;
    assert_error(
        weak,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::Validation,
    )
    .await;
    let unknown = admin
        .post_json(
            &paths::admin_user_password(UserId::random()),
            &json!({ "password": fresh }),
        )
        .await;
    assert_error(unknown, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;

    let set: RevokeOthersResponse = json(
        admin
            .post_json(
                &paths::admin_user_password(student.id),
                &json!({ "password": fresh }),
            )
            .await,
    )
    .await;
    assert_eq!(set.revoked, 2);
    student.assert_signed_out(ErrorCode::SessionRevoked).await;
    phone.assert_signed_out(ErrorCode::SessionRevoked).await;
    assert_eq!(
        student.login_with(PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(student.login_with(fresh).await.status(), StatusCode::OK);

    let trail: Page<SessionEventView> = admin
        .get_json(&format!(
            "{}?kind=password_changed&user_id={}",
            paths::ADMIN_EVENTS,
            student.id
        ))
        .await;
    let event = &trail.items[0];
    assert_eq!(event.actor_email.as_deref(), Some(admin.email.as_str()));
    assert_eq!(event.facts.signed_out, Some(2));
}
