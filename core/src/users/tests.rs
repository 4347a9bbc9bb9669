use hallpass_shared::{
    CreateUser, EventKind, RevokedReason, Role, SetPassword, UpdateUser, UserId, UserQuery,
    UserSort,
};

use super::{create_by_admin, list, set_password, update};
use crate::{Error, Rejection, sessions::validate, testing::*};

fn change(edit: impl FnOnce(&mut UpdateUser)) -> UpdateUser {
    let mut request = UpdateUser::default();
    edit(&mut request);
    request
}

async fn kinds(domain: &TestDomain, kind: EventKind) -> usize {
    let state = domain.store.snapshot().await;
    state.events.iter().filter(|e| e.event.kind == kind).count()
}

#[tokio::test]
async fn the_last_active_admin_can_be_neither_demoted_nor_deactivated() {
    let domain = domain();
    let root = account(&domain, "root@school.example", Role::Admin).await;
    let signed = sign_in(&domain, &root, &browser(), at(0)).await;
    for request in [
        change(|r| r.role = Some(Role::Teacher)),
        change(|r| r.is_active = Some(false)),
    ] {
        let outcome = update(
            &domain,
            &signed.current,
            root.id,
            request,
            &browser(),
            at(1),
        )
        .await;
        assert!(matches!(outcome, Err(Error::LastAdmin)));
    }
    let other = account(&domain, "deputy@school.example", Role::Admin).await;
    let demote = change(|r| r.role = Some(Role::Teacher));
    update(
        &domain,
        &signed.current,
        other.id,
        demote,
        &browser(),
        at(2),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn a_role_change_fences_the_users_live_sessions_and_is_seen_at_once() {
    let domain = domain();
    let root = account(&domain, "root@school.example", Role::Admin).await;
    let ada = ada(&domain).await;
    let admins = sign_in(&domain, &root, &browser(), at(0)).await;
    let adas = sign_in(&domain, &ada, &phone(), at(0)).await;
    let promote = change(|r| r.role = Some(Role::Teacher));
    let view = update(&domain, &admins.current, ada.id, promote, &browser(), at(1))
        .await
        .unwrap();
    assert_eq!(view.role, Role::Teacher);
    assert!(domain.cache.is_fenced(&adas.current.token_hash));
    let current = validate(&domain, Some(adas.claim.into()), &phone(), at(2))
        .await
        .unwrap();
    assert_eq!(current.user.role, Role::Teacher);
    assert_eq!(kinds(&domain, EventKind::UserUpdated).await, 1);
}

#[tokio::test]
async fn deactivating_a_user_ends_every_session_of_theirs() {
    let domain = domain();
    let root = account(&domain, "root@school.example", Role::Admin).await;
    let ada = ada(&domain).await;
    let admins = sign_in(&domain, &root, &browser(), at(0)).await;
    let adas = sign_in(&domain, &ada, &phone(), at(0)).await;
    let deactivate = change(|r| r.is_active = Some(false));
    update(
        &domain,
        &admins.current,
        ada.id,
        deactivate,
        &browser(),
        at(1),
    )
    .await
    .unwrap();
    let outcome = validate(&domain, Some(adas.claim.into()), &phone(), at(2)).await;
    assert_eq!(refusal(outcome), Rejection::UserInactive);
    let state = domain.store.snapshot().await;
    let revoked = state.sessions.iter().find(|s| s.user_id == ada.id).unwrap();
    assert_eq!(revoked.revoked_reason, Some(RevokedReason::UserDeactivated));
    assert_eq!(kinds(&domain, EventKind::UserDeactivated).await, 1);
}

#[tokio::test]
async fn an_email_taken_by_another_account_is_a_conflict_that_names_it() {
    let domain = domain();
    let root = account(&domain, "root@school.example", Role::Admin).await;
    let ada = ada(&domain).await;
    let admins = sign_in(&domain, &root, &browser(), at(0)).await;
    let taken = change(|r| r.email = Some(" ROOT@school.example".into()));
    let outcome = update(&domain, &admins.current, ada.id, taken, &browser(), at(1)).await;
    assert!(
        matches!(outcome, Err(Error::Conflict(message)) if message.contains("root@school.example"))
    );
    let create = CreateUser {
        email: "Ada@School.example".into(),
        name: "Ada again".into(),
        role: Role::Student,
        password: "a long enough password".into(),
    };
    let outcome = create_by_admin(&domain, &admins.current, create, &browser()).await;
    assert!(matches!(outcome, Err(Error::Conflict(_))));
    assert_eq!(kinds(&domain, EventKind::UserCreated).await, 0);
}

#[tokio::test]
async fn an_empty_change_or_a_bad_name_is_refused_in_words() {
    let domain = domain();
    let root = account(&domain, "root@school.example", Role::Admin).await;
    let admins = sign_in(&domain, &root, &browser(), at(0)).await;
    let nothing = update(
        &domain,
        &admins.current,
        root.id,
        UpdateUser::default(),
        &browser(),
        at(1),
    )
    .await;
    assert!(
        matches!(nothing, Err(Error::Invalid(message)) if message.starts_with("nothing to change"))
    );
    let blank = change(|r| r.name = Some("   ".into()));
    let outcome = update(&domain, &admins.current, root.id, blank, &browser(), at(1)).await;
    assert!(matches!(outcome, Err(Error::Invalid(message)) if message.starts_with("name:")));
    let unknown = change(|r| r.name = Some("Nobody".into()));
    let outcome = update(
        &domain,
        &admins.current,
        UserId::random(),
        unknown,
        &browser(),
        at(1),
    )
    .await;
    assert!(matches!(outcome, Err(Error::NotFound)));
}

#[tokio::test]
async fn an_admin_setting_a_password_signs_the_user_out_everywhere() {
    let domain = domain();
    let root = account(&domain, "root@school.example", Role::Admin).await;
    let ada = ada(&domain).await;
    let admins = sign_in(&domain, &root, &browser(), at(0)).await;
    let adas = sign_in(&domain, &ada, &phone(), at(0)).await;
    let request = SetPassword {
        password: "a password from the office".into(),
    };
    let signed_out = set_password(&domain, &admins.current, ada.id, request, &browser(), at(1))
        .await
        .unwrap();
    assert_eq!(signed_out, 1);
    let outcome = validate(&domain, Some(adas.claim.into()), &phone(), at(2)).await;
    assert_eq!(
        refusal(outcome),
        Rejection::Revoked(Some(RevokedReason::PasswordChange))
    );
    assert_eq!(kinds(&domain, EventKind::PasswordChanged).await, 1);
}

#[tokio::test]
async fn users_are_listed_a_page_at_a_time_with_their_open_sessions() {
    let domain = domain();
    let root = account(&domain, "root@school.example", Role::Admin).await;
    for n in 0..5 {
        account(&domain, &format!("pupil{n}@school.example"), Role::Student).await;
    }
    sign_in(&domain, &root, &browser(), at(0)).await;
    let query = UserQuery {
        q: Some("pupil".into()),
        limit: Some(2),
        sort: Some(UserSort::Email),
        ..UserQuery::default()
    };
    let first = list(&domain, &query).await.unwrap();
    assert_eq!(first.total, Some(5));
    let emails: Vec<_> = first.items.iter().map(|u| u.email.clone()).collect();
    assert_eq!(emails, ["pupil0@school.example", "pupil1@school.example"]);
    let next = UserQuery {
        cursor: first.next_cursor.clone(),
        ..query.clone()
    };
    let second = list(&domain, &next).await.unwrap();
    assert_eq!(second.items[0].email, "pupil2@school.example");
    let foreign = UserQuery {
        q: Some("root".into()),
        cursor: first.next_cursor,
        ..UserQuery::default()
    };
    assert!(matches!(
        list(&domain, &foreign).await,
        Err(Error::ForeignCursor)
    ));
    let admins = UserQuery {
        role: Some(Role::Admin),
        ..UserQuery::default()
    };
    let listed = list(&domain, &admins).await.unwrap();
    assert_eq!(listed.items.len(), 1);
    assert_eq!(listed.items[0].active_sessions, 1);
    let nul = UserQuery {
        q: Some("ad\u{0}a".into()),
        ..UserQuery::default()
    };
    assert!(
        matches!(list(&domain, &nul).await, Err(Error::Invalid(_))),
        "never a 500"
    );
}
