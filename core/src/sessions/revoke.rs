//! A user ending their own sessions: logout, one session, all the others.

use chrono::{DateTime, Utc};
use hallpass_shared::{RevokedReason, SessionId, UserId};

use super::{CurrentSession, uncache_and_count_revoked};
use crate::{
    Client, Domain, Error, Ports, Result, audit,
    model::Session,
    ports::{Queries, Store as _},
};

/// Ends the current session (logout).
pub async fn logout<P: Ports>(
    domain: &Domain<P>,
    current: &CurrentSession,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<()> {
    revoke_own(
        domain,
        current,
        current.session.id,
        RevokedReason::Logout,
        client,
        now,
    )
    .await
}

/// Revokes one of the caller's sessions; 404 when the id is not an active session of
/// theirs. Returns whether it was the calling session.
pub async fn revoke_one<P: Ports>(
    domain: &Domain<P>,
    current: &CurrentSession,
    id: SessionId,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<bool> {
    revoke_own(domain, current, id, RevokedReason::User, client, now).await?;
    Ok(id == current.session.id)
}

async fn revoke_own<P: Ports>(
    domain: &Domain<P>,
    current: &CurrentSession,
    id: SessionId,
    reason: RevokedReason,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<()> {
    let user_id = current.user.id;
    revoke_session(domain, id, Some(user_id), user_id, reason, client, now).await
}

/// Revokes one active session (only if `owner`'s, when given) and audits it as done `by`
/// someone, in one transaction, then drops it from the cache. 404 when there is no such
/// session.
pub(super) async fn revoke_session<P: Ports>(
    domain: &Domain<P>,
    id: SessionId,
    owner: Option<UserId>,
    by: UserId,
    reason: RevokedReason,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut tx = domain.store.begin().await?;
    let outcome = async {
        let session = tx
            .revoke_session(id, owner, reason, now)
            .await?
            .ok_or(Error::NotFound)?;
        let log = audit::revocations(std::slice::from_ref(&session), Some(by), Some(client));
        tx.record(&log).await?;
        Ok::<_, Error>(session)
    }
    .await;
    let session = tx.finish(outcome).await?;
    uncache_and_count_revoked(domain, std::slice::from_ref(&session)).await;
    Ok(())
}

/// Revokes every session of the caller but the current one; returns how many.
pub async fn revoke_others<P: Ports>(
    domain: &Domain<P>,
    current: &CurrentSession,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<u64> {
    let (user_id, keep) = (current.user.id, current.session.id);
    let mut tx = domain.store.begin().await?;
    let outcome = revoke_all(
        &mut tx,
        user_id,
        Some(keep),
        RevokedReason::Others,
        user_id,
        client,
        now,
    )
    .await;
    let sessions = tx.finish(outcome).await?;
    uncache_and_count_revoked(domain, &sessions).await;
    Ok(sessions.len() as u64)
}

/// Within a transaction: revokes every active session of `user_id` but `keep`, audited
/// as done `by` someone.
pub(super) async fn revoke_all(
    tx: &mut impl Queries,
    user_id: UserId,
    keep: Option<SessionId>,
    reason: RevokedReason,
    by: UserId,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<Vec<Session>> {
    let sessions = tx.revoke_sessions_of(user_id, keep, reason, now).await?;
    tx.record(&audit::revocations(&sessions, Some(by), Some(client)))
        .await?;
    Ok(sessions)
}
