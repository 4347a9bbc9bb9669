use chrono::Duration;
use hallpass_shared::EventKind;

use super::recorded;
use crate::{
    Rejection, SessionClaim,
    sessions::{Ensured, ensure, logout},
    testing::*,
};

#[tokio::test]
async fn a_recorded_session_exists() {
    let domain = domain();
    let ada = ada(&domain).await;
    let signed = sign_in(&domain, &ada, &browser(), at(0)).await;
    let (ensured, current) = ensure(&domain, Some(signed.claim.into()), &browser(), at(1))
        .await
        .unwrap();
    assert_eq!(ensured, Ensured::Exists);
    assert_eq!(current.session.id, signed.current.session.id);
}

#[tokio::test]
async fn a_cookie_this_server_minted_gets_its_record_once() {
    let domain = domain();
    let ada = ada(&domain).await;
    let claim = SessionClaim::mint(ada.id, at(0), Duration::days(30)).unwrap();
    let (first, _) = ensure(&domain, Some(claim.clone().into()), &browser(), at(1))
        .await
        .unwrap();
    let (second, _) = ensure(&domain, Some(claim.into()), &browser(), at(2))
        .await
        .unwrap();
    assert_eq!((first, second), (Ensured::Created, Ensured::Exists));
    assert_eq!(domain.store.snapshot().await.sessions.len(), 1);
    assert_eq!(recorded(&domain, EventKind::SessionCreated).await, 1);
}

#[tokio::test]
async fn a_revoked_session_is_never_brought_back() {
    let domain = domain();
    let ada = ada(&domain).await;
    let signed = sign_in(&domain, &ada, &browser(), at(0)).await;
    logout(&domain, &signed.current, &browser(), at(1))
        .await
        .unwrap();
    let outcome = ensure(&domain, Some(signed.claim.into()), &browser(), at(2)).await;
    assert!(matches!(refusal(outcome), Rejection::Revoked(_)));
    assert_eq!(domain.store.snapshot().await.sessions.len(), 1);
}

#[tokio::test]
async fn a_cookie_past_its_lifetime_gets_no_record() {
    let domain = domain();
    let ada = ada(&domain).await;
    let claim = SessionClaim::mint(ada.id, at(0), Duration::days(1)).unwrap();
    let outcome = ensure(
        &domain,
        Some(claim.into()),
        &browser(),
        at(0) + Duration::days(1),
    )
    .await;
    assert_eq!(refusal(outcome), Rejection::Expired);
    assert!(domain.store.snapshot().await.sessions.is_empty());
}

#[tokio::test]
async fn a_cookie_from_before_a_password_change_gets_no_record() {
    let domain = domain();
    let ada = ada(&domain).await;
    let claim = SessionClaim::mint(ada.id, at(0), Duration::days(30)).unwrap();
    domain
        .store
        .edit_user(ada.id, |user| user.sessions_valid_after = Some(at(1)))
        .await;
    let outcome = ensure(&domain, Some(claim.into()), &browser(), at(2)).await;
    assert_eq!(refusal(outcome), Rejection::Revoked(None));
}

#[tokio::test]
async fn a_cookie_without_a_recorded_lifetime_or_user_gets_no_record() {
    let domain = domain();
    let ada = ada(&domain).await;
    let unrecorded = SessionClaim {
        lifetime: None,
        ..SessionClaim::mint(ada.id, at(0), Duration::days(30)).unwrap()
    };
    let outcome = ensure(&domain, Some(unrecorded.into()), &browser(), at(1)).await;
    assert_eq!(refusal(outcome), Rejection::Invalid);
    let nobody = SessionClaim::mint(crate::UserId::random(), at(0), Duration::days(30)).unwrap();
    let outcome = ensure(&domain, Some(nobody.into()), &browser(), at(1)).await;
    assert_eq!(refusal(outcome), Rejection::Invalid);
    assert_eq!(
        refusal(ensure(&domain, None, &browser(), at(1)).await),
        Rejection::Invalid
    );
}

#[tokio::test]
async fn a_deactivated_users_cookie_gets_no_record() {
    let domain = domain();
    let ada = ada(&domain).await;
    domain
        .store
        .edit_user(ada.id, |user| user.is_active = false)
        .await;
    let claim = SessionClaim::mint(ada.id, at(0), Duration::days(30)).unwrap();
    let outcome = ensure(&domain, Some(claim.into()), &browser(), at(1)).await;
    assert_eq!(refusal(outcome), Rejection::UserInactive);
}
