use hallpass_shared::{EventKind, RevokedReason, Role};

use super::recorded;
use crate::{
    Error, Rejection,
    sessions::{
        new_devices::{Answer, answer, unanswered},
        validate,
    },
    testing::*,
};

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
