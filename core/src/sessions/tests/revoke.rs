use hallpass_shared::{EventKind, RevokedReason, Role, SessionId};

use super::recorded;
use crate::{
    Error, Rejection,
    sessions::{self, logout, revoke_one, revoke_others, validate},
    testing::*,
};

#[tokio::test]
async fn logging_out_revokes_fences_and_audits_the_session() {
    let domain = domain();
    let ada = ada(&domain).await;
    let signed = sign_in(&domain, &ada, &browser(), at(0)).await;
    logout(&domain, &signed.current, &browser(), at(1))
        .await
        .unwrap();
    assert!(domain.cache.is_fenced(&signed.current.token_hash));
    assert_eq!(recorded(&domain, EventKind::SessionRevoked).await, 1);
    assert_eq!(domain.metrics.count("revoked logout"), 1);
}

#[tokio::test]
async fn a_user_revokes_one_of_their_own_sessions_only() {
    let domain = domain();
    let ada = ada(&domain).await;
    let eve = account(&domain, "eve@school.example", Role::Student).await;
    let laptop = sign_in(&domain, &ada, &browser(), at(0)).await;
    let phone_ = sign_in(&domain, &ada, &phone(), at(0)).await;
    let eves = sign_in(&domain, &eve, &browser(), at(0)).await;
    let foreign = revoke_one(
        &domain,
        &laptop.current,
        eves.current.session.id,
        &browser(),
        at(1),
    )
    .await;
    assert!(matches!(foreign, Err(Error::NotFound)));
    let unknown = revoke_one(
        &domain,
        &laptop.current,
        SessionId::random(),
        &browser(),
        at(1),
    )
    .await;
    assert!(matches!(unknown, Err(Error::NotFound)));
    let this_one = revoke_one(
        &domain,
        &laptop.current,
        phone_.current.session.id,
        &browser(),
        at(1),
    )
    .await
    .unwrap();
    assert!(!this_one);
    let outcome = validate(&domain, Some(phone_.claim.into()), &phone(), at(2)).await;
    assert_eq!(
        refusal(outcome),
        Rejection::Revoked(Some(RevokedReason::User))
    );
}

#[tokio::test]
async fn signing_out_the_others_keeps_the_current_session() {
    let domain = domain();
    let ada = ada(&domain).await;
    let here = sign_in(&domain, &ada, &browser(), at(0)).await;
    for second in 1..=3 {
        sign_in(&domain, &ada, &phone(), at(second)).await;
    }
    let revoked = revoke_others(&domain, &here.current, &browser(), at(5))
        .await
        .unwrap();
    assert_eq!(revoked, 3);
    let live = sessions::list(&domain, &here.current, at(6)).await.unwrap();
    assert_eq!(live.len(), 1);
    assert!(live[0].is_current);
    assert_eq!(domain.metrics.count("revoked others"), 3);
}

#[tokio::test]
async fn a_failed_revocation_writes_nothing() {
    let domain = domain();
    let ada = ada(&domain).await;
    let here = sign_in(&domain, &ada, &browser(), at(0)).await;
    let before = domain.store.snapshot().await.events.len();
    let _ = revoke_one(
        &domain,
        &here.current,
        SessionId::random(),
        &browser(),
        at(1),
    )
    .await;
    assert_eq!(domain.store.snapshot().await.events.len(), before);
}
