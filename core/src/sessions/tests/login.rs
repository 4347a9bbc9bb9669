use hallpass_shared::{EventKind, LoginRequest, PasswordChange, RevokedReason};

use super::{recorded, recorded_kinds};
use crate::{
    Error, Rejection,
    policies::RolePolicy,
    sessions::{change_password, login, validate},
    testing::*,
};

fn attempt(email: &str, password: &str) -> LoginRequest {
    LoginRequest {
        email: email.into(),
        password: password.into(),
        token: false,
        shared_device: false,
    }
}

#[tokio::test]
async fn a_login_opens_a_session_audited_as_a_sign_in_and_an_opening() {
    let domain = domain();
    let ada = ada(&domain).await;
    let signed = sign_in(&domain, &ada, &browser(), at(0)).await;
    assert_eq!(signed.current.user.id, ada.id);
    assert_eq!(signed.current.session.browser, "Firefox 133.0");
    assert_eq!(
        recorded_kinds(&domain).await,
        [EventKind::LoginSucceeded, EventKind::SessionCreated]
    );
    let state = domain.store.snapshot().await;
    assert_eq!(state.users[0].last_sign_in_at, Some(at(0)));
    assert_eq!(domain.metrics.count("login Succeeded"), 1);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let domain = domain();
    ada(&domain).await;
    for request in [
        attempt("ada@school.example", "not her password"),
        attempt("nobody@school.example", PASSWORD),
    ] {
        let outcome = login(&domain, request, &browser(), None, None, at(0)).await;
        assert!(matches!(outcome, Err(Error::InvalidCredentials)));
    }
    assert_eq!(recorded(&domain, EventKind::LoginFailed).await, 2);
    assert_eq!(domain.metrics.count("login Failed"), 2);
}

#[tokio::test]
async fn the_right_password_of_a_deactivated_account_is_refused_as_inactive() {
    let domain = domain();
    let ada = ada(&domain).await;
    domain
        .store
        .edit_user(ada.id, |user| user.is_active = false)
        .await;
    let outcome = login(
        &domain,
        attempt(&ada.email, PASSWORD),
        &browser(),
        None,
        None,
        at(0),
    )
    .await;
    assert!(matches!(outcome, Err(Error::AccountInactive)));
    assert!(domain.store.snapshot().await.sessions.is_empty());
}

#[tokio::test]
async fn past_the_limit_attempts_are_refused_before_the_password_is_checked() {
    let domain = domain();
    let ada = ada(&domain).await;
    for _ in 0..5 {
        let wrong = attempt(&ada.email, "not her password");
        let _ = login(&domain, wrong, &browser(), None, None, at(0)).await;
    }
    let right = attempt(&ada.email, PASSWORD);
    let outcome = login(&domain, right, &browser(), None, None, at(0)).await;
    assert!(matches!(
        outcome,
        Err(Error::RateLimited {
            retry_after_secs: 1..
        })
    ));
    assert_eq!(domain.metrics.count("login RateLimited"), 1);
}

#[tokio::test]
async fn a_success_forgives_the_failures_before_it() {
    let domain = domain();
    let ada = ada(&domain).await;
    for round in 0..3 {
        for _ in 0..4 {
            let wrong = attempt(&ada.email, "not her password");
            let _ = login(&domain, wrong, &browser(), None, None, at(round)).await;
        }
        sign_in(&domain, &ada, &browser(), at(round)).await;
    }
}

#[tokio::test]
async fn hostile_input_is_refused_before_any_work() {
    let domain = domain();
    let long = format!("{}@school.example", "a".repeat(300));
    let outcome = login(
        &domain,
        attempt(&long, PASSWORD),
        &browser(),
        None,
        None,
        at(0),
    )
    .await;
    assert!(matches!(outcome, Err(Error::Invalid(_))));
    assert!(recorded_kinds(&domain).await.is_empty());
}

#[tokio::test]
async fn signing_in_again_in_the_same_browser_ends_its_previous_session() {
    let domain = domain();
    let ada = ada(&domain).await;
    let first = sign_in(&domain, &ada, &browser(), at(0)).await;
    let request = attempt(&ada.email, PASSWORD);
    login(
        &domain,
        request,
        &browser(),
        Some(first.claim.clone()),
        None,
        at(1),
    )
    .await
    .unwrap();
    let outcome = validate(&domain, Some(first.claim.into()), &browser(), at(2)).await;
    assert_eq!(
        refusal(outcome),
        Rejection::Revoked(Some(RevokedReason::Logout))
    );
}

#[tokio::test]
async fn a_first_sign_in_is_from_a_new_device_and_the_same_platform_is_known_after() {
    let domain = domain();
    let ada = ada(&domain).await;
    let first = sign_in(&domain, &ada, &browser(), at(0)).await;
    let again = sign_in(&domain, &ada, &browser(), at(60)).await;
    let elsewhere = sign_in(&domain, &ada, &phone(), at(120)).await;
    assert!(first.current.session.new_device);
    assert!(!again.current.session.new_device);
    assert!(elsewhere.current.session.new_device);
}

#[tokio::test]
async fn past_the_cap_a_sign_in_retires_the_oldest_session() {
    let domain = domain_with(policy_with(RolePolicy {
        max_sessions: 2,
        ..role_policy()
    }));
    let ada = ada(&domain).await;
    let oldest = sign_in(&domain, &ada, &browser(), at(0)).await;
    sign_in(&domain, &ada, &browser(), at(1)).await;
    sign_in(&domain, &ada, &browser(), at(2)).await;
    let outcome = validate(&domain, Some(oldest.claim.into()), &browser(), at(3)).await;
    assert_eq!(
        refusal(outcome),
        Rejection::Revoked(Some(RevokedReason::SessionLimit))
    );
    assert!(domain.cache.is_fenced(&oldest.current.token_hash));
    assert_eq!(domain.metrics.count("revoked session_limit"), 1);
}

#[tokio::test]
async fn a_user_asked_for_a_new_password_signs_in_and_is_told_so() {
    let domain = domain();
    let ada = ada(&domain).await;
    domain
        .store
        .edit_user(ada.id, |user| user.must_change_password = true)
        .await;
    let signed = sign_in(&domain, &ada, &browser(), at(0)).await;
    assert!(signed.current.user.must_change_password);
}

#[tokio::test]
async fn a_password_change_needs_the_current_password() {
    let domain = domain();
    let ada = ada(&domain).await;
    let signed = sign_in(&domain, &ada, &browser(), at(0)).await;
    let change = PasswordChange {
        current_password: "not her password".into(),
        new_password: "a brand new passphrase".into(),
    };
    let outcome = change_password(&domain, &signed.current, change, &browser(), at(1)).await;
    assert!(matches!(outcome, Err(Error::WrongPassword)));
    let short = PasswordChange {
        current_password: PASSWORD.into(),
        new_password: "short".into(),
    };
    let outcome = change_password(&domain, &signed.current, short, &browser(), at(1)).await;
    assert!(matches!(outcome, Err(Error::Invalid(_))));
    let same = PasswordChange {
        current_password: PASSWORD.into(),
        new_password: PASSWORD.into(),
    };
    let outcome = change_password(&domain, &signed.current, same, &browser(), at(1)).await;
    assert!(
        matches!(outcome, Err(Error::Invalid(message)) if message.contains("differ")),
        "a demanded change is not met by the same password"
    );
}

#[tokio::test]
async fn a_password_change_signs_out_every_session_and_continues_in_a_new_one() {
    let domain = domain();
    let ada = ada(&domain).await;
    domain
        .store
        .edit_user(ada.id, |user| user.must_change_password = true)
        .await;
    let here = sign_in(&domain, &ada, &browser(), at(0)).await;
    let there = sign_in(&domain, &ada, &phone(), at(0)).await;
    let change = PasswordChange {
        current_password: PASSWORD.into(),
        new_password: "a brand new passphrase".into(),
    };
    let claim = change_password(&domain, &here.current, change, &browser(), at(1))
        .await
        .unwrap();
    for old in [here.claim, there.claim] {
        let outcome = validate(&domain, Some(old.into()), &browser(), at(2)).await;
        assert_eq!(
            refusal(outcome),
            Rejection::Revoked(Some(RevokedReason::PasswordChange))
        );
    }
    let continued = validate(&domain, Some(claim.into()), &browser(), at(2))
        .await
        .unwrap();
    assert!(!continued.user.must_change_password);
    assert_eq!(recorded(&domain, EventKind::PasswordChanged).await, 1);
}

#[tokio::test]
async fn a_shared_computer_leaves_no_device_learns_nothing_and_idles_out_sooner() {
    let domain = domain();
    let ada = ada(&domain).await;
    let request = LoginRequest {
        email: ada.email.clone(),
        password: PASSWORD.into(),
        token: false,
        shared_device: true,
    };
    let lab = login(&domain, request, &browser(), None, None, at(0))
        .await
        .unwrap();
    assert!(lab.device.is_none(), "no device cookie");
    assert!(lab.claim.shared_device, "a browser-session cookie");
    assert!(lab.current.session.shared_device);
    assert!(
        domain.store.snapshot().await.devices.is_empty(),
        "nothing learned"
    );
    let at_home = sign_in(&domain, &ada, &browser(), at(60)).await;
    assert!(
        at_home.current.session.new_device,
        "the lab's platform was not learned for Ada"
    );

    let fourteen_minutes = at(14 * 60);
    assert!(
        validate(
            &domain,
            Some(lab.claim.clone().into()),
            &browser(),
            fourteen_minutes
        )
        .await
        .is_ok()
    );
    // Untouched since: fifteen minutes (and the minute `last_seen_at` may lag) later.
    let outcome = validate(&domain, Some(lab.claim.into()), &browser(), at(31 * 60)).await;
    assert_eq!(refusal(outcome), Rejection::Expired);
    assert!(
        validate(&domain, Some(at_home.claim.into()), &browser(), at(31 * 60))
            .await
            .is_ok(),
        "an ordinary session has no idle timeout here"
    );
}
