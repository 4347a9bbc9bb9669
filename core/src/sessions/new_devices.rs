//! "Was this you?": the owner's answers about sign-ins from new devices (see
//! [`devices`](super::devices) for what makes one new). Every open page of the account
//! asks until one of them is answered; "no" signs the session out.

use chrono::{DateTime, Utc};
use hallpass_shared::{EventKind, RevokedReason, SessionId, SessionView};
use serde_json::json;

use super::{CurrentSession, uncache_and_count_revoked, views};
use crate::{
    Client, Domain, Error, Ports, Result, audit,
    model::Session,
    ports::{Queries, Store as _},
};

/// The caller's live new-device sign-ins nobody has answered about yet, other than the
/// calling session itself, newest first.
pub async fn unanswered<P: Ports>(
    domain: &Domain<P>,
    current: &CurrentSession,
    now: DateTime<Utc>,
) -> Result<Vec<SessionView>> {
    let mut conn = domain.store.connect().await?;
    let sessions = conn
        .unanswered_new_devices(current.user.id, current.session.id, now)
        .await?;
    Ok(views(&sessions, current))
}

/// The owner's answer to "was this you?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// "Yes, that was me": the sign-in stops asking and its device is learned
    /// (`new_device_confirmed`).
    WasMe,
    /// "No, sign it out": the session is revoked in the same transaction and what it
    /// was recognised by is forgotten (`new_device_denied`, then `session_revoked`).
    NotMe,
}

/// Records the caller's answer about their new-device session `id`, audited, and for
/// [`Answer::NotMe`] revokes it everywhere. 404 when `id` is not an unanswered
/// new-device session of the caller's (already answered in another tab, say); refused
/// when `id` is the calling session: a new device cannot vouch for itself.
pub async fn answer<P: Ports>(
    domain: &Domain<P>,
    current: &CurrentSession,
    id: SessionId,
    answer: Answer,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<()> {
    if id == current.session.id {
        return Err(Error::NotAllowed(
            "only another session of the account can answer for a new device",
        ));
    }
    let mut tx = domain.store.begin().await?;
    let outcome = record_answer(&mut tx, current, id, answer, client, now).await;
    if let Some(revoked) = tx.finish(outcome).await? {
        uncache_and_count_revoked(domain, std::slice::from_ref(&revoked)).await;
    }
    Ok(())
}

/// The steps of [`answer`]'s transaction: the session it revoked, if any.
async fn record_answer(
    tx: &mut impl Queries,
    current: &CurrentSession,
    id: SessionId,
    answer: Answer,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<Option<Session>> {
    let user_id = current.user.id;
    let session = tx
        .answer_new_device(id, user_id, now)
        .await?
        .ok_or(Error::NotFound)?;
    let kind = match answer {
        Answer::WasMe => EventKind::NewDeviceConfirmed,
        Answer::NotMe => EventKind::NewDeviceDenied,
    };
    let mut log = vec![
        audit::event(kind, Some(user_id), Some(id), Some(client), json!({}))
            .at(session.location.as_ref(), true),
    ];
    let revoked = match answer {
        Answer::WasMe => {
            tx.learn_devices_of(id, now).await?;
            None
        }
        Answer::NotMe => {
            tx.forget_devices_of(id).await?;
            let revoked = tx
                .revoke_session(id, Some(user_id), RevokedReason::User, now)
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
    tx.record(&log).await?;
    Ok(revoked)
}
