use hallpass_shared::{EventKind, RevokedReason, Role};

use super::recorded;
use crate::{
    Error, Rejection,
    model::User,
    sessions::{
        devices::LEARNED_AFTER,
        new_devices::{Answer, answer, unanswered},
        validate,
    },
    testing::*,
};

/// A second account like Ada's.
async fn ada_too(domain: &TestDomain) -> User {
    account(domain, "ada.too@school.example", Role::Student).await
}

#[tokio::test]
async fn the_other_sessions_are_asked_about_a_new_device_until_one_answers() {
    let domain = domain();
    let ada = ada(&domain).await;
    let laptop = sign_in(&domain, &ada, &browser(), at(0)).await;
    // The first sign-in is new too; settle it.
    let questions = unanswered(&domain, &laptop.current, at(1)).await.unwrap();
    assert!(
        questions.is_empty(),
        "the asking session is never asked about itself"
    );
    let phone_ = sign_in(&domain, &ada, &phone(), at(2)).await;
    let questions = unanswered(&domain, &laptop.current, at(3)).await.unwrap();
    assert_eq!(questions.len(), 1);
    assert_eq!(questions[0].id, phone_.current.session.id);
    answer(
        &domain,
        &laptop.current,
        phone_.current.session.id,
        Answer::WasMe,
        &browser(),
        at(4),
    )
    .await
    .unwrap();
    assert!(
        unanswered(&domain, &laptop.current, at(5))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        validate(&domain, Some(phone_.claim.into()), &phone(), at(5))
            .await
            .is_ok()
    );
    assert_eq!(recorded(&domain, EventKind::NewDeviceConfirmed).await, 1);
}

#[tokio::test]
async fn no_signs_the_new_device_out_at_once() {
    let domain = domain();
    let ada = ada(&domain).await;
    let laptop = sign_in(&domain, &ada, &browser(), at(0)).await;
    let intruder = sign_in(&domain, &ada, &phone(), at(1)).await;
    let id = intruder.current.session.id;
    answer(
        &domain,
        &laptop.current,
        id,
        Answer::NotMe,
        &browser(),
        at(2),
    )
    .await
    .unwrap();
    let outcome = validate(&domain, Some(intruder.claim.into()), &phone(), at(3)).await;
    assert_eq!(
        refusal(outcome),
        Rejection::Revoked(Some(RevokedReason::User))
    );
    assert!(domain.cache.is_fenced(&intruder.current.token_hash));
    assert_eq!(recorded(&domain, EventKind::NewDeviceDenied).await, 1);
    assert_eq!(recorded(&domain, EventKind::SessionRevoked).await, 1);
}

#[tokio::test]
async fn a_question_is_answered_once() {
    let domain = domain();
    let ada = ada(&domain).await;
    let laptop = sign_in(&domain, &ada, &browser(), at(0)).await;
    let phone_ = sign_in(&domain, &ada, &phone(), at(1)).await;
    let id = phone_.current.session.id;
    answer(
        &domain,
        &laptop.current,
        id,
        Answer::WasMe,
        &browser(),
        at(2),
    )
    .await
    .unwrap();
    let again = answer(
        &domain,
        &laptop.current,
        id,
        Answer::NotMe,
        &browser(),
        at(3),
    )
    .await;
    assert!(matches!(again, Err(Error::NotFound)));
    assert!(
        validate(&domain, Some(phone_.claim.into()), &phone(), at(4))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn nobody_answers_about_another_accounts_sessions() {
    let domain = domain();
    let ada = ada(&domain).await;
    let eve = account(&domain, "eve@school.example", Role::Student).await;
    let ada_signed = sign_in(&domain, &ada, &browser(), at(0)).await;
    let eve_signed = sign_in(&domain, &eve, &phone(), at(0)).await;
    let id = ada_signed.current.session.id;
    let outcome = answer(
        &domain,
        &eve_signed.current,
        id,
        Answer::NotMe,
        &phone(),
        at(1),
    )
    .await;
    assert!(matches!(outcome, Err(Error::NotFound)));
}

#[tokio::test]
async fn a_new_device_cannot_vouch_for_itself() {
    let domain = domain();
    let ada = ada(&domain).await;
    sign_in(&domain, &ada, &browser(), at(0)).await;
    let intruder = sign_in(&domain, &ada, &phone(), at(1)).await;
    let id = intruder.current.session.id;
    for said in [Answer::WasMe, Answer::NotMe] {
        let outcome = answer(&domain, &intruder.current, id, said, &phone(), at(2)).await;
        assert!(matches!(outcome, Err(Error::NotAllowed(_))), "{said:?}");
    }
    assert!(intruder.current.session.new_device);
    assert_eq!(recorded(&domain, EventKind::NewDeviceConfirmed).await, 0);
}

/// The phone's sign-in at `seconds`, in a browser without a device cookie.
async fn phone_signs_in(domain: &TestDomain, ada: &User, seconds: i64) -> Signed {
    sign_in(domain, ada, &phone(), at(seconds)).await
}

#[tokio::test]
async fn a_new_device_is_learned_only_once_the_owner_says_yes_or_after_a_week() {
    let domain = domain();
    let ada = ada(&domain).await;
    let laptop = sign_in(&domain, &ada, &browser(), at(0)).await;
    assert!(
        !sign_in(&domain, &ada, &browser(), at(1))
            .await
            .current
            .session
            .new_device,
        "the account's first device is learned at once"
    );
    let first = phone_signs_in(&domain, &ada, 2).await;
    assert!(first.current.session.new_device);
    assert!(
        phone_signs_in(&domain, &ada, 3)
            .await
            .current
            .session
            .new_device,
        "unanswered, it is still new"
    );
    answer(
        &domain,
        &laptop.current,
        first.current.session.id,
        Answer::WasMe,
        &browser(),
        at(4),
    )
    .await
    .unwrap();
    assert!(
        !phone_signs_in(&domain, &ada, 5)
            .await
            .current
            .session
            .new_device
    );

    let other = ada_too(&domain).await;
    sign_in(&domain, &other, &browser(), at(0)).await;
    phone_signs_in(&domain, &other, 10).await;
    let week = LEARNED_AFTER.num_seconds();
    assert!(
        phone_signs_in(&domain, &other, 10 + week - 1)
            .await
            .current
            .session
            .new_device
    );
    assert!(
        !phone_signs_in(&domain, &other, 10 + week)
            .await
            .current
            .session
            .new_device
    );
}

#[tokio::test]
async fn after_a_no_the_same_intruder_is_still_a_new_device() {
    let domain = domain();
    let ada = ada(&domain).await;
    let laptop = sign_in(&domain, &ada, &browser(), at(0)).await;
    let intruder = phone_signs_in(&domain, &ada, 1).await;
    answer(
        &domain,
        &laptop.current,
        intruder.current.session.id,
        Answer::NotMe,
        &browser(),
        at(2),
    )
    .await
    .unwrap();
    let week = LEARNED_AFTER.num_seconds();
    let again = phone_signs_in(&domain, &ada, 3 + week).await;
    assert!(
        again.current.session.new_device,
        "what the denied sign-in was recognised by is forgotten"
    );
}
