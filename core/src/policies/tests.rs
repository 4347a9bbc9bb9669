//! The role policies' use cases against the memory ports: defaults until set, a change
//! applied to the role's sessions at once and for good, audited, announced; the limit
//! of a role at sign-in; a role change moving a user to the new role's policy.

use chrono::Duration;
use hallpass_shared::{EventKind, PolicySettings, RevokedReason, Role, UpdateUser};

use super::admin::{change, effect, list, reload};
use crate::{Error, Rejection, sessions::validate, testing::*, users::update};

const HOUR: u64 = 3600;

fn settings(lifetime: u64, idle: Option<u64>, max_sessions: u32) -> PolicySettings {
    PolicySettings {
        lifetime_seconds: lifetime,
        idle_timeout_seconds: idle,
        max_sessions,
    }
}

#[tokio::test]
async fn every_role_is_on_the_defaults_until_an_admin_sets_its_policy() {
    let domain = domain();
    let policies = list(&domain).await.unwrap();
    let roles: Vec<Role> = policies.iter().map(|policy| policy.role).collect();
    assert_eq!(roles, Role::ALL);
    let defaults = role_policy().settings();
    for policy in policies {
        assert!(policy.is_default);
        assert_eq!(policy.settings(), defaults);
    }
}

#[tokio::test]
async fn a_shorter_lifetime_ends_older_sessions_at_once_and_for_good() {
    let domain = domain();
    let root = account(&domain, "root@school.example", Role::Admin).await;
    let ada = ada(&domain).await;
    let bob = account(&domain, "bob@school.example", Role::Teacher).await;
    let old = sign_in(&domain, &ada, &phone(), at(0)).await;
    let teachers = sign_in(&domain, &bob, &phone(), at(0)).await;
    let later = at(9 * HOUR as i64);
    let fresh = sign_in(&domain, &ada, &browser(), later).await;
    let admin = sign_in(&domain, &root, &browser(), later).await;

    let eight_hours = settings(8 * HOUR, None, 100);
    let said = effect(&domain, Role::Student, &eight_hours, later)
        .await
        .unwrap();
    assert_eq!((said.sessions_ending, said.users_over_limit), (1, 0));
    let view = change(
        &domain,
        &admin.current,
        Role::Student,
        eight_hours,
        &browser(),
        later,
    )
    .await
    .unwrap();
    assert!(!view.is_default);
    assert_eq!(view.settings(), eight_hours);
    assert_eq!(domain.cache.policy_announcements(), 1);

    // The pupil's nine-hour-old session is told it expired, cached or not.
    let outcome = validate(&domain, Some(old.claim.clone().into()), &phone(), later).await;
    assert_eq!(refusal(outcome), Rejection::Expired);
    validate(&domain, Some(fresh.claim.into()), &browser(), later)
        .await
        .unwrap();
    let recorded = domain.store.snapshot().await.sessions;
    let fresh = recorded
        .iter()
        .find(|session| session.id == fresh.current.session.id)
        .unwrap();
    assert_eq!(
        fresh.expires_at,
        later + Duration::hours(8),
        "a live session's recorded expiry follows the policy"
    );
    // Teachers live by their own policy.
    validate(&domain, Some(teachers.claim.into()), &phone(), later)
        .await
        .unwrap();

    // A longer lifetime later does not bring the ended session back.
    let thirty_days = settings(30 * 24 * HOUR, None, 100);
    let again = at(9 * HOUR as i64 + 60);
    change(
        &domain,
        &admin.current,
        Role::Student,
        thirty_days,
        &browser(),
        again,
    )
    .await
    .unwrap();
    let outcome = validate(&domain, Some(old.claim.into()), &phone(), again).await;
    assert_eq!(refusal(outcome), Rejection::Expired);

    let state = domain.store.snapshot().await;
    let changed = state
        .events
        .iter()
        .find(|recorded| recorded.event.kind == EventKind::PolicyChanged)
        .unwrap();
    let detail = &changed.event.detail;
    assert_eq!(detail["by"], serde_json::json!(root.id));
    assert_eq!(detail["role"], "student");
    assert_eq!(detail["policy"]["from"]["lifetime_seconds"], 30 * 24 * HOUR);
    assert_eq!(detail["policy"]["to"]["lifetime_seconds"], 8 * HOUR);
    assert_eq!(detail["sessions_ended"], 1);
}

#[tokio::test]
async fn a_shorter_idle_timeout_ends_the_sessions_left_unused_longer() {
    let domain = domain();
    let root = account(&domain, "root@school.example", Role::Admin).await;
    let ada = ada(&domain).await;
    let idle = sign_in(&domain, &ada, &phone(), at(0)).await;
    let now = at(3 * HOUR as i64);
    let busy = sign_in(&domain, &ada, &browser(), now).await;
    let admin = sign_in(&domain, &root, &browser(), now).await;
    let one_hour_idle = settings(24 * HOUR, Some(HOUR), 100);
    let said = effect(&domain, Role::Student, &one_hour_idle, now)
        .await
        .unwrap();
    assert_eq!(said.sessions_ending, 1);
    change(
        &domain,
        &admin.current,
        Role::Student,
        one_hour_idle,
        &browser(),
        now,
    )
    .await
    .unwrap();
    let outcome = validate(&domain, Some(idle.claim.into()), &phone(), now).await;
    assert_eq!(refusal(outcome), Rejection::Expired);
    validate(&domain, Some(busy.claim.into()), &browser(), now)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_lower_limit_ends_the_oldest_sessions_at_the_next_sign_in() {
    let domain = domain();
    let root = account(&domain, "root@school.example", Role::Admin).await;
    let ada = ada(&domain).await;
    let first = sign_in(&domain, &ada, &phone(), at(0)).await;
    sign_in(&domain, &ada, &phone(), at(1)).await;
    let admin = sign_in(&domain, &root, &browser(), at(2)).await;
    let two = settings(30 * 24 * HOUR, None, 2);
    assert_eq!(
        effect(
            &domain,
            Role::Student,
            &settings(30 * 24 * HOUR, None, 1),
            at(2)
        )
        .await
        .unwrap()
        .users_over_limit,
        1
    );
    change(
        &domain,
        &admin.current,
        Role::Student,
        two,
        &browser(),
        at(2),
    )
    .await
    .unwrap();
    sign_in(&domain, &ada, &browser(), at(3)).await;
    let outcome = validate(&domain, Some(first.claim.into()), &phone(), at(4)).await;
    assert_eq!(
        refusal(outcome),
        Rejection::Revoked(Some(RevokedReason::SessionLimit))
    );
}

#[tokio::test]
async fn a_role_change_moves_the_user_to_the_new_roles_policy() {
    let domain = domain();
    let root = account(&domain, "root@school.example", Role::Admin).await;
    let bob = account(&domain, "bob@school.example", Role::Teacher).await;
    let laptop = sign_in(&domain, &bob, &browser(), at(0)).await;
    let now = at(2 * HOUR as i64);
    let admin = sign_in(&domain, &root, &browser(), now).await;
    change(
        &domain,
        &admin.current,
        Role::Student,
        settings(HOUR, None, 5),
        &browser(),
        now,
    )
    .await
    .unwrap();
    validate(&domain, Some(laptop.claim.clone().into()), &browser(), now)
        .await
        .unwrap();
    let demote = UpdateUser {
        role: Some(Role::Student),
        ..UpdateUser::default()
    };
    update(&domain, &admin.current, bob.id, demote, &browser(), now)
        .await
        .unwrap();
    let outcome = validate(&domain, Some(laptop.claim.clone().into()), &browser(), now).await;
    assert_eq!(refusal(outcome), Rejection::Expired);
    // Promoted back, the session stays ended.
    let promote = UpdateUser {
        role: Some(Role::Teacher),
        ..UpdateUser::default()
    };
    update(&domain, &admin.current, bob.id, promote, &browser(), now)
        .await
        .unwrap();
    let outcome = validate(&domain, Some(laptop.claim.into()), &browser(), now).await;
    assert_eq!(refusal(outcome), Rejection::Expired);
}

#[tokio::test]
async fn bad_settings_are_refused_in_words_and_nothing_changes() {
    let domain = domain();
    let root = account(&domain, "root@school.example", Role::Admin).await;
    let admin = sign_in(&domain, &root, &browser(), at(0)).await;
    let outcome = change(
        &domain,
        &admin.current,
        Role::Student,
        settings(HOUR, Some(HOUR), 5),
        &browser(),
        at(1),
    )
    .await;
    assert!(matches!(outcome, Err(Error::Invalid(_))), "{outcome:?}");
    assert!(domain.store.snapshot().await.policies.is_empty());
    assert_eq!(domain.cache.policy_announcements(), 0);
}

#[tokio::test]
async fn another_instance_takes_up_a_change_on_reload() {
    let domain = domain();
    let root = account(&domain, "root@school.example", Role::Admin).await;
    let admin = sign_in(&domain, &root, &browser(), at(0)).await;
    change(
        &domain,
        &admin.current,
        Role::Teacher,
        settings(HOUR, None, 5),
        &browser(),
        at(1),
    )
    .await
    .unwrap();
    // What another instance does on hearing the announcement: the store decides.
    domain.policy.roles.replace(Vec::new());
    reload(&domain).await.unwrap();
    assert_eq!(domain.policy.roles.of(Role::Teacher).max_sessions, 5);
    assert!(domain.policy.roles.is_set(Role::Teacher));
    assert!(!domain.policy.roles.is_set(Role::Student));
}
