use chrono::{TimeDelta, Utc};
use hallpass_shared::{EventKind, RenameSession, Role};

use super::recorded;
use crate::{
    Error,
    sessions::{RENAMES_PER_HOUR, rename, validate},
    testing::*,
};

fn named(name: Option<&str>) -> RenameSession {
    RenameSession {
        name: name.map(str::to_owned),
    }
}

#[tokio::test]
async fn a_session_is_named_audited_and_read_afresh() {
    let domain = domain();
    let ada = ada(&domain).await;
    let signed = sign_in(&domain, &ada, &browser(), at(0)).await;
    let id = signed.current.session.id;
    let view = rename(
        &domain,
        &signed.current,
        id,
        named(Some("  School laptop ")),
        &browser(),
        Utc::now(),
    )
    .await
    .unwrap();
    assert_eq!(view.name.as_deref(), Some("School laptop"));
    assert!(!domain.cache.holds(&signed.current.token_hash));
    let current = validate(&domain, Some(signed.claim.into()), &browser(), at(1))
        .await
        .unwrap();
    assert_eq!(current.session.name.as_deref(), Some("School laptop"));
    let cleared = rename(
        &domain,
        &signed.current,
        id,
        named(Some("   ")),
        &browser(),
        Utc::now(),
    )
    .await
    .unwrap();
    assert_eq!(cleared.name, None);
    assert_eq!(recorded(&domain, EventKind::SessionRenamed).await, 2);
}

#[tokio::test]
async fn only_ones_own_live_sessions_are_renamed_and_names_stay_short() {
    let domain = domain();
    let ada = ada(&domain).await;
    let eve = account(&domain, "eve@school.example", Role::Student).await;
    let ada_signed = sign_in(&domain, &ada, &browser(), at(0)).await;
    let eve_signed = sign_in(&domain, &eve, &browser(), at(0)).await;
    let foreign = eve_signed.current.session.id;
    let outcome = rename(
        &domain,
        &ada_signed.current,
        foreign,
        named(Some("Mine")),
        &browser(),
        Utc::now(),
    )
    .await;
    assert!(matches!(outcome, Err(Error::NotFound)));
    let own = ada_signed.current.session.id;
    let long = "x".repeat(41);
    let outcome = rename(
        &domain,
        &ada_signed.current,
        own,
        named(Some(&long)),
        &browser(),
        Utc::now(),
    )
    .await;
    assert!(matches!(outcome, Err(Error::Invalid(_))));
    assert_eq!(recorded(&domain, EventKind::SessionRenamed).await, 0);
}

/// The memory store stamps events with the wall clock, so this test runs on it.
#[tokio::test]
async fn renames_are_limited_so_the_trail_cannot_be_flooded() {
    let domain = domain();
    let ada = ada(&domain).await;
    let signed = sign_in(&domain, &ada, &browser(), at(0)).await;
    let id = signed.current.session.id;
    let name = |n: i64| named(Some(&format!("Laptop {n}")));
    for n in 0..RENAMES_PER_HOUR {
        rename(
            &domain,
            &signed.current,
            id,
            name(n),
            &browser(),
            Utc::now(),
        )
        .await
        .unwrap();
    }
    let refused = rename(
        &domain,
        &signed.current,
        id,
        name(99),
        &browser(),
        Utc::now(),
    )
    .await;
    assert!(
        matches!(refused, Err(Error::RateLimited { retry_after_secs }) if retry_after_secs > 3500),
        "{refused:?}"
    );
    assert_eq!(
        recorded(&domain, EventKind::SessionRenamed).await,
        RENAMES_PER_HOUR as usize
    );
    let in_an_hour = Utc::now() + TimeDelta::hours(1);
    rename(
        &domain,
        &signed.current,
        id,
        name(100),
        &browser(),
        in_an_hour,
    )
    .await
    .unwrap();
}
