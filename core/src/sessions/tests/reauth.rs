use hallpass_shared::{EventKind, PolicySettings, Reauthenticate, Role, SetPassword, UpdateUser};

use super::recorded;
use crate::{
    Error, policies,
    sessions::{
        admin::{revoke_all_of_user, revoke_any},
        reauth::reauthenticate,
        revoke_others,
    },
    testing::*,
    users::{set_password, update},
};

fn password(password: &str) -> Reauthenticate {
    Reauthenticate {
        password: password.into(),
    }
}

const ELEVEN_MINUTES: i64 = 11 * 60;

#[tokio::test]
async fn every_sensitive_admin_act_needs_a_recent_proof_of_the_password() {
    let domain = domain();
    let root = account(&domain, "root@school.example", Role::Admin).await;
    let ada = ada(&domain).await;
    let admin = sign_in(&domain, &root, &browser(), at(0)).await;
    let adas = sign_in(&domain, &ada, &phone(), at(0)).await;
    let later = at(ELEVEN_MINUTES);
    let rename = UpdateUser {
        name: Some("Ada L.".into()),
        ..UpdateUser::default()
    };
    let new_password = SetPassword {
        password: "a password for ada".into(),
    };
    let current = &admin.current;
    let refused = [
        update(&domain, current, ada.id, rename.clone(), &browser(), later)
            .await
            .err(),
        set_password(
            &domain,
            current,
            ada.id,
            new_password.clone(),
            &browser(),
            later,
        )
        .await
        .err(),
        revoke_any(&domain, current, adas.current.session.id, &browser(), later)
            .await
            .err(),
        revoke_all_of_user(&domain, current, ada.id, &browser(), later)
            .await
            .err(),
        policies::admin::change(&domain, current, Role::Student, hours(8), &browser(), later)
            .await
            .err(),
    ];
    for outcome in refused {
        assert!(
            matches!(outcome, Some(Error::ReauthenticationRequired)),
            "{outcome:?}"
        );
    }
    assert_eq!(domain.store.snapshot().await.users[1].name, ada.name);

    reauthenticate(&domain, current, password(PASSWORD), &browser(), later)
        .await
        .unwrap();
    assert_eq!(recorded(&domain, EventKind::Reauthenticated).await, 1);
    let soon = at(ELEVEN_MINUTES + 60);
    update(&domain, current, ada.id, rename, &browser(), soon)
        .await
        .unwrap();
    set_password(&domain, current, ada.id, new_password, &browser(), soon)
        .await
        .unwrap();
    policies::admin::change(&domain, current, Role::Student, hours(8), &browser(), soon)
        .await
        .unwrap();
}

fn hours(hours: u64) -> PolicySettings {
    PolicySettings {
        lifetime_seconds: hours * 3600,
        idle_timeout_seconds: None,
        max_sessions: 5,
    }
}

#[tokio::test]
async fn a_wrong_password_is_refused_audited_and_throttled_on_the_sessions_own_counter() {
    let domain = domain();
    let ada = ada(&domain).await;
    let signed = sign_in(&domain, &ada, &browser(), at(0)).await;
    for _ in 0..5 {
        let outcome = reauthenticate(
            &domain,
            &signed.current,
            password("not it"),
            &browser(),
            at(1),
        )
        .await;
        assert!(
            matches!(outcome, Err(Error::InvalidCredentials)),
            "{outcome:?}"
        );
    }
    let outcome = reauthenticate(
        &domain,
        &signed.current,
        password(PASSWORD),
        &browser(),
        at(2),
    )
    .await;
    assert!(
        matches!(outcome, Err(Error::RateLimited { .. })),
        "{outcome:?}"
    );
    assert_eq!(recorded(&domain, EventKind::LoginFailed).await, 5);
    assert_eq!(recorded(&domain, EventKind::Reauthenticated).await, 0);
    // Another session of the account, and a sign-in, are judged by their own counters.
    let phone_ = sign_in(&domain, &ada, &phone(), at(3)).await;
    reauthenticate(
        &domain,
        &phone_.current,
        password(PASSWORD),
        &phone(),
        at(4),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn protecting_ones_own_sessions_is_never_gated() {
    let domain = domain();
    let ada = ada(&domain).await;
    let laptop = sign_in(&domain, &ada, &browser(), at(0)).await;
    sign_in(&domain, &ada, &phone(), at(0)).await;
    let signed_out = revoke_others(&domain, &laptop.current, &browser(), at(ELEVEN_MINUTES))
        .await
        .unwrap();
    assert_eq!(signed_out, 1);
}
