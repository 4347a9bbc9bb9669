//! Admins overseeing sessions: any user's sessions, revoking one or all of them (with a
//! recently proved password, see [`reauth`]). Every action is audited with the admin's
//! id as `by`.

use chrono::{DateTime, Utc};
use hallpass_shared::{RevokedReason, SessionId, SessionView, UserId};

use super::{
    CurrentSession, reauth, revoke::revoke_all, revoke::revoke_session, still_live,
    uncache_and_count_revoked, views,
};
use crate::{
    Client, Domain, Error, Ports, Result,
    ports::{Queries as _, Store as _},
};

/// A user's live sessions, newest first; 404 for an unknown user.
pub async fn list_of_user<P: Ports>(
    domain: &Domain<P>,
    admin: &CurrentSession,
    user_id: UserId,
    now: DateTime<Utc>,
) -> Result<Vec<SessionView>> {
    let mut conn = domain.store.connect().await?;
    let user = conn.user(user_id).await?.ok_or(Error::NotFound)?;
    let sessions = conn
        .live_sessions_of(user_id, now, domain.policy.idle_cutoff(user.role, now))
        .await?;
    Ok(views(&still_live(domain, user.role, sessions, now), admin))
}

/// Revokes any active session; 404 when there is none with this id.
pub async fn revoke_any<P: Ports>(
    domain: &Domain<P>,
    admin: &CurrentSession,
    id: SessionId,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<()> {
    reauth::require_recent_proof(domain, admin, now).await?;
    let by = admin.user.id;
    revoke_session(domain, id, None, by, RevokedReason::Admin, client, now).await
}

/// Revokes every session of a user, and through `sessions_valid_after` any cookie of
/// theirs issued before now; returns how many sessions were active. 404 for an unknown
/// user.
pub async fn revoke_all_of_user<P: Ports>(
    domain: &Domain<P>,
    admin: &CurrentSession,
    user_id: UserId,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<u64> {
    reauth::require_recent_proof(domain, admin, now).await?;
    let by = admin.user.id;
    let mut tx = domain.store.begin().await?;
    let outcome = async {
        if !tx.set_sessions_valid_after(user_id, now).await? {
            return Err(Error::NotFound);
        }
        revoke_all(
            &mut tx,
            user_id,
            None,
            RevokedReason::Admin,
            by,
            client,
            now,
        )
        .await
    }
    .await;
    let sessions = tx.finish(outcome).await?;
    uncache_and_count_revoked(domain, &sessions).await;
    Ok(sessions.len() as u64)
}
