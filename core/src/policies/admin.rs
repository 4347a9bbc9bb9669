//! Admins reading, previewing and changing the role policies. A change commits with its
//! audit event, is applied at once to the role's live sessions (those it ends now expire
//! now, so a longer policy later cannot bring them back), is taken up by this instance
//! and announced to the others, which reload the policies from the store.

use chrono::{DateTime, Utc};
use hallpass_shared::{EventKind, PolicyEffect, PolicySettings, Role, RolePolicyView};
use serde_json::json;

use super::{Holders, RolePolicy, StoredPolicy};
use crate::{
    Client, Domain, Ports, Result, audit,
    ports::{Queries as _, SessionCache as _, Store as _},
    sessions::{CurrentSession, reauth},
};

/// Every role's policy, as stored (this instance takes them up on the way).
pub async fn list<P: Ports>(domain: &Domain<P>) -> Result<Vec<RolePolicyView>> {
    reload(domain).await?;
    Ok(domain.policy.roles.views())
}

/// What saving `settings` as `role`'s policy would do now; nothing is written.
pub async fn effect<P: Ports>(
    domain: &Domain<P>,
    role: Role,
    settings: &PolicySettings,
    now: DateTime<Utc>,
) -> Result<PolicyEffect> {
    let policy = RolePolicy::from_settings(settings)?;
    let mut conn = domain.store.connect().await?;
    let sessions_ending = conn
        .count_sessions_beyond(Holders::Role(role), &policy, now)
        .await?;
    let users_over_limit = conn
        .count_users_over_limit(role, policy.max_sessions, now)
        .await?;
    Ok(PolicyEffect {
        sessions_ending,
        users_over_limit,
    })
}

/// An admin sets `role`'s policy, with a recently proved password (see [`reauth`]):
/// recorded and audited (`policy_changed`, before and after) in one transaction with its
/// effect on the role's live sessions; then in force on every instance.
pub async fn change<P: Ports>(
    domain: &Domain<P>,
    admin: &CurrentSession,
    role: Role,
    settings: PolicySettings,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<RolePolicyView> {
    let policy = RolePolicy::from_settings(&settings)?;
    reauth::require_recent_proof(domain, admin, now).await?;
    let by = admin.user.id;
    let mut tx = domain.store.begin().await?;
    let outcome = async {
        tx.lock_role_policies().await?;
        let mut stored = tx.role_policies().await?;
        let earlier = stored.iter().find(|stored| stored.role == role);
        let before = earlier.map_or(domain.policy.roles.defaults(), |earlier| earlier.policy);
        let ended = earlier.map(|earlier| earlier.ended).unwrap_or_default();
        let changed = StoredPolicy {
            role,
            policy,
            ended: ended.and_by(&policy, now),
        };
        tx.put_role_policy(&changed, by, now).await?;
        let ended = tx
            .end_sessions_beyond(Holders::Role(role), &policy, now)
            .await?;
        let detail = json!({
            "by": by,
            "role": role,
            "policy": { "from": before.settings(), "to": policy.settings() },
            "sessions_ended": ended,
        });
        let event = audit::event(EventKind::PolicyChanged, None, None, Some(client), detail);
        tx.record(&[event]).await?;
        stored.retain(|stored| stored.role != role);
        stored.push(changed);
        Ok(stored)
    }
    .await;
    let stored = tx.finish(outcome).await?;
    domain.policy.roles.replace(stored);
    domain.cache.announce_policies().await;
    Ok(domain.policy.roles.view(role))
}

/// Takes up the stored policies (another instance changed one, or a periodic check).
pub async fn reload<P: Ports>(domain: &Domain<P>) -> Result<()> {
    let stored = domain.store.connect().await?.role_policies().await?;
    domain.policy.roles.replace(stored);
    Ok(())
}
