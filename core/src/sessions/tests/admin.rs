use hallpass_shared::{EventKind, RevokedReason, Role, SessionId, UserId};

use super::recorded;
use crate::{
    Error, Rejection,
    sessions::{
        admin::{list_of_user, revoke_all_of_user, revoke_any},
        ensure, validate,
    },
    testing::*,
};

#[tokio::test]
async fn an_admin_lists_and_revokes_anyones_session() {
    let domain = domain();
    let admin = account(&domain, "root@school.example", Role::Admin).await;
    let ada = ada(&domain).await;
    let admins = sign_in(&domain, &admin, &browser(), at(0)).await;
    let adas = sign_in(&domain, &ada, &phone(), at(0)).await;
    let listed = list_of_user(&domain, &admins.current, ada.id, at(1))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert!(!listed[0].is_current);
    revoke_any(
        &domain,
        &admins.current,
        adas.current.session.id,
        &browser(),
        at(2),
    )
    .await
    .unwrap();
    let outcome = validate(&domain, Some(adas.claim.into()), &phone(), at(3)).await;
    assert_eq!(
        refusal(outcome),
        Rejection::Revoked(Some(RevokedReason::Admin))
    );
    let gone = revoke_any(
        &domain,
        &admins.current,
        SessionId::random(),
        &browser(),
        at(4),
    )
    .await;
    assert!(matches!(gone, Err(Error::NotFound)));
    let nobody = list_of_user(&domain, &admins.current, UserId::random(), at(4)).await;
    assert!(matches!(nobody, Err(Error::NotFound)));
}

#[tokio::test]
async fn signing_a_user_out_everywhere_also_voids_cookies_never_recorded() {
    let domain = domain();
    let admin = account(&domain, "root@school.example", Role::Admin).await;
    let ada = ada(&domain).await;
    let admins = sign_in(&domain, &admin, &browser(), at(0)).await;
    sign_in(&domain, &ada, &phone(), at(0)).await;
    sign_in(&domain, &ada, &browser(), at(0)).await;
    let unrecorded = crate::SessionClaim::mint(ada.id, at(0), chrono::Duration::days(30)).unwrap();
    let revoked = revoke_all_of_user(&domain, &admins.current, ada.id, &browser(), at(1))
        .await
        .unwrap();
    assert_eq!(revoked, 2);
    let outcome = ensure(&domain, Some(unrecorded.into()), &phone(), at(2)).await;
    assert_eq!(refusal(outcome), Rejection::Revoked(None));
    assert_eq!(recorded(&domain, EventKind::SessionRevoked).await, 2);
    let unknown = revoke_all_of_user(
        &domain,
        &admins.current,
        UserId::random(),
        &browser(),
        at(3),
    )
    .await;
    assert!(matches!(unknown, Err(Error::NotFound)));
}
