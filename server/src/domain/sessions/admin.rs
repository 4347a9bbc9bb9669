//! Admins overseeing sessions: any user's sessions, revoking one or all of them.
//! Every action is audited with the admin's id as `by`.

use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection as _;
use hallpass_shared::{RevokedReason, SessionId, SessionView, UserId};

use super::{CurrentSession, revoke::revoke_session, uncache_and_count_revoked};
use crate::{
    db::{events, sessions::SessionRow, users::UserRow},
    domain::{Client, Domain, Error, Result, audit},
};

/// A user's live sessions, newest first; 404 for an unknown user.
pub async fn list_of_user(
    domain: &Domain,
    admin: &CurrentSession,
    user_id: UserId,
    now: DateTime<Utc>,
) -> Result<Vec<SessionView>> {
    let mut conn = domain.db.get().await?;
    UserRow::find(&mut conn, user_id)
        .await?
        .ok_or(Error::NotFound)?;
    let rows =
        SessionRow::list_active_for_user(&mut conn, user_id, now, domain.policy.idle_cutoff(now))
            .await?;
    Ok(rows.iter().map(|row| row.view(admin.session.id)).collect())
}

/// Revokes any active session; 404 when there is none with this id.
pub async fn revoke_any(
    domain: &Domain,
    admin: &CurrentSession,
    id: SessionId,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<()> {
    let by = admin.user.id;
    revoke_session(domain, id, None, by, RevokedReason::Admin, client, now).await
}

/// Revokes every session of a user, and through `sessions_valid_after` any cookie of
/// theirs issued before now; returns how many sessions were active. 404 for an unknown user.
pub async fn revoke_all_of_user(
    domain: &Domain,
    admin: &CurrentSession,
    user_id: UserId,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<u64> {
    let by = admin.user.id;
    let mut conn = domain.db.get().await?;
    let rows = conn
        .transaction::<_, Error, _>(async move |conn| {
            if UserRow::set_sessions_valid_after(conn, user_id, now).await? == 0 {
                return Err(Error::NotFound);
            }
            let rows =
                SessionRow::revoke_all_for_user(conn, user_id, None, RevokedReason::Admin, now)
                    .await?;
            events::insert_all(conn, &audit::revocations(&rows, Some(by), Some(client))).await?;
            Ok(rows)
        })
        .await?;
    drop(conn);
    uncache_and_count_revoked(domain, &rows).await;
    Ok(rows.len() as u64)
}
