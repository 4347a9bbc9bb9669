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

/// The owner's answer to "was this you?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// "Yes, that was me": the sign-in stops asking (`new_device_confirmed`).
    WasMe,
    /// "No, sign it out": the session is revoked in the same transaction
    /// (`new_device_denied`, then `session_revoked`).
    NotMe,
}

/// Records the caller's answer about their new-device session `id`, audited, and for
/// [`Answer::NotMe`] revokes it everywhere. 404 when `id` is not an unanswered
/// new-device session of the caller's (already answered in another tab, say).
pub async fn answer(
    domain: &Domain,
    current: &CurrentSession,
    id: SessionId,
    answer: Answer,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<()> {
    let user_id = current.user.id;
    let mut conn = domain.db.get().await?;
    let revoked = conn
        .transaction::<_, Error, _>(async move |conn| {
            let row = SessionRow::answer_new_device(conn, id, user_id, now)
                .await?
                .ok_or(Error::NotFound)?;
            let kind = match answer {
                Answer::WasMe => EventKind::NewDeviceConfirmed,
                Answer::NotMe => EventKind::NewDeviceDenied,
            };
            let mut log = vec![
                audit::event(kind, Some(user_id), Some(id), Some(client), json!({}))
                    .at(&row.place, true),
            ];
            let revoked = match answer {
                Answer::WasMe => None,
                Answer::NotMe => {
                    let revoked =
                        SessionRow::revoke(conn, id, Some(user_id), RevokedReason::User, now)
                            .await?
                            .ok_or(Error::NotFound)?;
                    log.extend(audit::revocations(
                        std::slice::from_ref(&revoked),
                        Some(user_id),
                        Some(client),
                    ));
                    Some(revoked)
                }
            };
            events::insert_all(conn, &log).await?;
            Ok(revoked)
        })
        .await?;
    drop(conn);
    if let Some(revoked) = revoked {
        uncache_and_count_revoked(domain, std::slice::from_ref(&revoked)).await;
    }
    Ok(())
}
