//! "Was this you?": the owner's answers about sign-ins from new devices (see
//! [`devices`](super::devices) for what makes one new). Every open page of the account
//! asks until one of them is answered; "no" signs the session out.

use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection as _;
use hallpass_shared::{EventKind, RevokedReason, SessionId, SessionView};
use serde_json::json;

use super::{CurrentSession, uncache_and_count_revoked};
use crate::{
    db::{events, sessions::SessionRow},
    domain::{Client, Domain, Error, Result, audit},
};

/// The caller's live new-device sign-ins nobody has answered about yet, other than the
/// calling session itself, newest first.
pub async fn unanswered(
    domain: &Domain,
    current: &CurrentSession,
    now: DateTime<Utc>,
) -> Result<Vec<SessionView>> {
    let mut conn = domain.db.get().await?;
    let rows = SessionRow::list_unanswered_new_devices(
        &mut conn,
        current.user.id,
        current.session.id,
        now,
    )
    .await?;
    Ok(rows
        .iter()
        .map(|row| row.view(current.session.id))
        .collect())
}

/// "Yes, that was me": the sign-in stops asking. 404 when `id` is not an unanswered
/// new-device session of the caller's (already answered in another tab, say).
pub async fn confirm(
    domain: &Domain,
    current: &CurrentSession,
    id: SessionId,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<()> {
    let user_id = current.user.id;
    let mut conn = domain.db.get().await?;
    conn.transaction::<_, Error, _>(async move |conn| {
        let row = SessionRow::answer_new_device(conn, id, user_id, now)
            .await?
            .ok_or(Error::NotFound)?;
        let event = audit::event(
            EventKind::NewDeviceConfirmed,
            Some(user_id),
            Some(row.id),
            Some(client),
            json!({}),
        )
        .at(&row.place, true);
        events::insert_all(conn, &[event]).await?;
        Ok(())
    })
    .await
}

/// "No, sign it out": the answer and the session's revocation in one transaction. 404
/// as for [`confirm`].
pub async fn deny(
    domain: &Domain,
    current: &CurrentSession,
    id: SessionId,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<()> {
    let user_id = current.user.id;
    let mut conn = domain.db.get().await?;
    let revoked = conn
        .transaction::<_, Error, _>(async move |conn| {
            let answered = SessionRow::answer_new_device(conn, id, user_id, now)
                .await?
                .ok_or(Error::NotFound)?;
            let revoked = SessionRow::revoke(conn, id, Some(user_id), RevokedReason::User, now)
                .await?
                .ok_or(Error::NotFound)?;
            let mut log = vec![
                audit::event(
                    EventKind::NewDeviceDenied,
                    Some(user_id),
                    Some(id),
                    Some(client),
                    json!({}),
                )
                .at(&answered.place, true),
            ];
            log.extend(audit::revocations(
                std::slice::from_ref(&revoked),
                Some(user_id),
                Some(client),
            ));
            events::insert_all(conn, &log).await?;
            Ok(revoked)
        })
        .await?;
    drop(conn);
    uncache_and_count_revoked(domain, std::slice::from_ref(&revoked)).await;
    Ok(())
}
