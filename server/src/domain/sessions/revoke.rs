//! A user ending their own sessions: logout, one session, all the others.

use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection as _;
use hallpass_shared::{RevokedReason, SessionId, UserId};

use super::{CurrentSession, uncache_and_count_revoked};
use crate::{
    db::{events, sessions::SessionRow},
    domain::{Client, Domain, Error, Result, audit},
};

/// Ends the current session (logout).
pub async fn logout(
    domain: &Domain,
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
pub async fn revoke_one(
    domain: &Domain,
    current: &CurrentSession,
    id: SessionId,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<bool> {
    revoke_own(domain, current, id, RevokedReason::User, client, now).await?;
    Ok(id == current.session.id)
}

async fn revoke_own(
    domain: &Domain,
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
pub(super) async fn revoke_session(
    domain: &Domain,
    id: SessionId,
    owner: Option<UserId>,
    by: UserId,
    reason: RevokedReason,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut conn = domain.db.get().await?;
    let row = conn
        .transaction::<_, Error, _>(async move |conn| {
            let row = SessionRow::revoke(conn, id, owner, reason, now)
                .await?
                .ok_or(Error::NotFound)?;
            let log = audit::revocations(std::slice::from_ref(&row), Some(by), Some(client));
            events::insert_all(conn, &log).await?;
            Ok(row)
        })
        .await?;
    drop(conn);
    uncache_and_count_revoked(domain, std::slice::from_ref(&row)).await;
    Ok(())
}

/// Revokes every session of the caller but the current one; returns how many.
pub async fn revoke_others(
    domain: &Domain,
    current: &CurrentSession,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<u64> {
    let (user_id, keep) = (current.user.id, current.session.id);
    let mut conn = domain.db.get().await?;
    let rows = conn
        .transaction::<_, Error, _>(async move |conn| {
            let rows = SessionRow::revoke_all_for_user(
                conn,
                user_id,
                Some(keep),
                RevokedReason::Others,
                now,
            )
            .await?;
            events::insert_all(
                conn,
                &audit::revocations(&rows, Some(user_id), Some(client)),
            )
            .await?;
            Ok(rows)
        })
        .await?;
    drop(conn);
    uncache_and_count_revoked(domain, &rows).await;
    Ok(rows.len() as u64)
}
