use chrono::Duration;
use hallpass_shared::{EventKind, RevokedReason, Role};

use super::recorded;
use crate::{
    Error, Rejection, SessionClaim,
    policies::RolePolicy,
    ports::SessionCache as _,
    sessions::{flush_touches, logout, validate},
    testing::*,
};

#[tokio::test]
async fn no_cookie_is_refused_before_any_lookup() {
    let domain = domain();
    let outcome = validate(&domain, None, &browser(), at(0)).await;
    assert_eq!(refusal(outcome), Rejection::Invalid);
    assert_eq!(domain.metrics.count("validation invalid cookie"), 1);
    assert_eq!(recorded(&domain, EventKind::ValidationFailed).await, 0);
}

#[tokio::test]
async fn a_signed_in_session_is_answered_by_the_cache() {
    let domain = domain();
    let ada = ada(&domain).await;
    let signed = sign_in(&domain, &ada, &browser(), at(0)).await;
    let current = validate(&domain, Some(signed.claim.into()), &browser(), at(1))
        .await
        .unwrap();
    assert_eq!(current.user.id, ada.id);
    assert_eq!(current.session.id, signed.current.session.id);
    assert_eq!(domain.metrics.count("validation valid memory"), 1);
}

#[tokio::test]
async fn a_miss_is_answered_by_the_store_and_then_cached() {
    let domain = domain();
    let ada = ada(&domain).await;
    let signed = sign_in(&domain, &ada, &browser(), at(0)).await;
    domain.cache.forget(&signed.current.token_hash).await;
    validate(
        &domain,
        Some(signed.claim.clone().into()),
        &browser(),
        at(1),
    )
    .await
    .unwrap();
    assert_eq!(domain.metrics.count("validation valid database"), 1);
    assert!(domain.cache.holds(&signed.current.token_hash));
}

#[tokio::test]
async fn an_unrecorded_token_is_invalid_and_audited_once_a_minute() {
    let domain = domain();
    let ada = ada(&domain).await;
    let claim = SessionClaim::mint(ada.id, at(0), Duration::days(30)).unwrap();
    for _ in 0..3 {
        let outcome = validate(&domain, Some(claim.clone().into()), &browser(), at(1)).await;
        assert_eq!(refusal(outcome), Rejection::Invalid);
    }
    assert_eq!(domain.metrics.count("validation invalid database"), 3);
    assert_eq!(recorded(&domain, EventKind::ValidationFailed).await, 1);
}

#[tokio::test]
async fn a_signed_out_session_is_refused_with_its_reason() {
    let domain = domain();
    let ada = ada(&domain).await;
    let signed = sign_in(&domain, &ada, &browser(), at(0)).await;
    logout(&domain, &signed.current, &browser(), at(1))
        .await
        .unwrap();
    let outcome = validate(&domain, Some(signed.claim.into()), &browser(), at(2)).await;
    assert_eq!(
        refusal(outcome),
        Rejection::Revoked(Some(RevokedReason::Logout))
    );
}

#[tokio::test]
async fn a_deactivated_user_is_told_so_whatever_the_session() {
    let domain = domain();
    let ada = ada(&domain).await;
    let signed = sign_in(&domain, &ada, &browser(), at(0)).await;
    domain
        .store
        .edit_user(ada.id, |user| user.is_active = false)
        .await;
    domain.cache.forget(&signed.current.token_hash).await;
    let outcome = validate(&domain, Some(signed.claim.into()), &browser(), at(1)).await;
    assert_eq!(refusal(outcome), Rejection::UserInactive);
}

#[tokio::test]
async fn a_session_is_valid_until_the_instant_it_expires_and_the_expiry_is_audited() {
    let domain = domain();
    let ada = ada(&domain).await;
    let signed = sign_in(&domain, &ada, &browser(), at(0)).await;
    let expiry = signed.current.session.expires_at;
    let just_before = expiry - Duration::microseconds(1);
    assert!(
        validate(
            &domain,
            Some(signed.claim.clone().into()),
            &browser(),
            just_before
        )
        .await
        .is_ok()
    );
    let outcome = validate(&domain, Some(signed.claim.into()), &browser(), expiry).await;
    assert_eq!(refusal(outcome), Rejection::Expired);
    assert_eq!(recorded(&domain, EventKind::SessionExpired).await, 1);
}

#[tokio::test]
async fn an_idle_session_ends_one_touch_interval_after_the_idle_timeout() {
    let domain = domain_with(policy_with(RolePolicy {
        idle_timeout: Some(Duration::minutes(30)),
        ..role_policy()
    }));
    let ada = ada(&domain).await;
    let (laptop, phone_) = (browser(), phone());
    let on_time = sign_in(&domain, &ada, &laptop, at(0)).await;
    let late = sign_in(&domain, &ada, &phone_, at(0)).await;
    for signed in [&on_time, &late] {
        domain.cache.forget(&signed.current.token_hash).await;
    }
    let limit = at(0) + Duration::minutes(31);
    assert!(
        validate(&domain, Some(on_time.claim.into()), &laptop, limit)
            .await
            .is_ok()
    );
    let just_after = limit + Duration::microseconds(1);
    let outcome = validate(&domain, Some(late.claim.into()), &phone_, just_after).await;
    assert_eq!(refusal(outcome), Rejection::Expired);
}

#[tokio::test]
async fn a_token_presented_for_another_user_is_invalid() {
    let domain = domain();
    let ada = ada(&domain).await;
    let eve = account(&domain, "eve@school.example", Role::Student).await;
    let signed = sign_in(&domain, &ada, &browser(), at(0)).await;
    domain.cache.forget(&signed.current.token_hash).await;
    let forged = SessionClaim {
        user_id: eve.id,
        ..signed.claim
    };
    let outcome = validate(&domain, Some(forged.into()), &browser(), at(1)).await;
    assert_eq!(refusal(outcome), Rejection::Invalid);
}

#[tokio::test]
async fn signing_out_everywhere_refuses_sessions_created_before_it() {
    let domain = domain();
    let ada = ada(&domain).await;
    let signed = sign_in(&domain, &ada, &browser(), at(0)).await;
    domain
        .store
        .edit_user(ada.id, |user| user.sessions_valid_after = Some(at(1)))
        .await;
    domain.cache.forget(&signed.current.token_hash).await;
    let outcome = validate(&domain, Some(signed.claim.into()), &browser(), at(2)).await;
    assert_eq!(refusal(outcome), Rejection::Revoked(None));
}

#[tokio::test]
async fn a_store_that_went_away_is_unavailable_never_a_refusal() {
    let domain = domain();
    let ada = ada(&domain).await;
    let signed = sign_in(&domain, &ada, &browser(), at(0)).await;
    domain.store.set_down(true);
    // The cache still vouches for it.
    assert!(
        validate(
            &domain,
            Some(signed.claim.clone().into()),
            &browser(),
            at(1)
        )
        .await
        .is_ok()
    );
    domain.cache.forget(&signed.current.token_hash).await;
    let outcome = validate(&domain, Some(signed.claim.into()), &browser(), at(2)).await;
    assert!(matches!(outcome, Err(Error::Unavailable(_))));
}

#[tokio::test]
async fn last_seen_is_written_once_a_minute_in_one_batch_and_the_cache_follows() {
    let domain = domain();
    let ada = ada(&domain).await;
    let laptop = sign_in(&domain, &ada, &browser(), at(0)).await;
    let phone_ = sign_in(&domain, &ada, &phone(), at(0)).await;
    validate(
        &domain,
        Some(laptop.claim.clone().into()),
        &browser(),
        at(30),
    )
    .await
    .unwrap();
    assert_eq!(flush_touches(&domain).await, 0, "not a minute yet");
    for second in [61, 62, 63] {
        for signed in [&laptop, &phone_] {
            validate(
                &domain,
                Some(signed.claim.clone().into()),
                &browser(),
                at(second),
            )
            .await
            .unwrap();
        }
    }
    let state = domain.store.snapshot().await;
    assert!(
        state.sessions.iter().all(|s| s.last_seen_at == at(0)),
        "nothing written while validating"
    );
    assert_eq!(flush_touches(&domain).await, 2, "one write for the burst");
    let state = domain.store.snapshot().await;
    assert!(state.sessions.iter().all(|s| s.last_seen_at == at(63)));
    let cached = validate(&domain, Some(laptop.claim.into()), &browser(), at(64))
        .await
        .unwrap();
    assert_eq!(
        cached.session.last_seen_at,
        at(63),
        "the cache holds the new time"
    );
    assert_eq!(flush_touches(&domain).await, 0);
}

#[tokio::test]
async fn a_session_that_died_meanwhile_is_not_touched_and_leaves_the_cache() {
    let domain = domain();
    let ada = ada(&domain).await;
    let signed = sign_in(&domain, &ada, &browser(), at(0)).await;
    validate(
        &domain,
        Some(signed.claim.clone().into()),
        &browser(),
        at(61),
    )
    .await
    .unwrap();
    domain
        .store
        .edit_user(ada.id, |user| user.is_active = false)
        .await;
    crate::sessions::admin::revoke_any(
        &domain,
        &signed.current,
        signed.current.session.id,
        &browser(),
        at(62),
    )
    .await
    .unwrap();
    assert_eq!(flush_touches(&domain).await, 0);
    let state = domain.store.snapshot().await;
    assert_eq!(state.sessions[0].last_seen_at, at(0));
}

#[tokio::test]
async fn a_bearer_token_is_its_recorded_session_and_never_gets_one_recorded() {
    let domain = domain();
    let ada = ada(&domain).await;
    let signed = sign_in(&domain, &ada, &phone(), at(0)).await;
    domain.cache.forget(&signed.current.token_hash).await;
    let bearer = crate::Credential::Bearer(signed.claim.token.clone());
    let current = validate(&domain, Some(bearer), &phone(), at(1))
        .await
        .unwrap();
    assert_eq!(current.session.id, signed.current.session.id);
    let stray = crate::Credential::Bearer(crate::SessionToken::generate().unwrap());
    let outcome = validate(&domain, Some(stray.clone()), &phone(), at(1)).await;
    assert_eq!(refusal(outcome), Rejection::Invalid);
    let outcome = crate::sessions::ensure(&domain, Some(stray), &phone(), at(1)).await;
    assert_eq!(refusal(outcome), Rejection::Invalid);
    assert_eq!(domain.store.snapshot().await.sessions.len(), 1);
}
