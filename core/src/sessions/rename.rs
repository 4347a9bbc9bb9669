//! A user naming their own sessions ("School laptop").

use chrono::{DateTime, TimeDelta, Utc};
use hallpass_shared::{EventKind, RenameSession, SessionId, SessionView};
use serde_json::json;

use super::CurrentSession;
use crate::{
    Client, Domain, Error, Ports, Result, audit,
    ports::{Queries as _, SessionCache as _, Store as _},
    text,
};

/// How many times an hour one session can be renamed: each rename is a row of the
/// append-only audit trail, which a script must not be able to flood.
pub const RENAMES_PER_HOUR: i64 = 10;
const HOUR: TimeDelta = TimeDelta::hours(1);

/// Names one of the caller's active sessions (a blank or absent name removes it), audited
/// with the old and new names. 404 when `id` is not an active session of theirs; rate
/// limited past [`RENAMES_PER_HOUR`] renames of it within an hour.
pub async fn rename<P: Ports>(
    domain: &Domain<P>,
    current: &CurrentSession,
    id: SessionId,
    rename: RenameSession,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<SessionView> {
    let name = rename
        .name
        .as_deref()
        .map(text::session_name)
        .transpose()
        .map_err(|invalid| Error::Invalid(format!("name: {invalid}")))?
        .flatten();
    let user_id = current.user.id;
    let mut tx = domain.store.begin().await?;
    let outcome = async {
        let before = tx
            .lock_active_session(id, user_id)
            .await?
            .ok_or(Error::NotFound)?;
        // The session's row is locked: concurrent renames are counted one after another.
        let recent = tx
            .renames_since(id, user_id, now - HOUR, RENAMES_PER_HOUR)
            .await?;
        if let Some(oldest) = recent
            .first()
            .filter(|_| recent.len() as i64 >= RENAMES_PER_HOUR)
        {
            let wait = (*oldest + HOUR - now).num_seconds().max(1);
            return Err(Error::RateLimited {
                retry_after_secs: wait.unsigned_abs(),
            });
        }
        let session = tx
            .rename_session(id, user_id, name.as_deref())
            .await?
            .ok_or(Error::NotFound)?;
        let event = audit::event(
            EventKind::SessionRenamed,
            Some(user_id),
            Some(id),
            Some(client),
            json!({ "name": { "from": before.name, "to": session.name } }),
        );
        tx.record(&[event]).await?;
        Ok::<_, Error>(session)
    }
    .await;
    let session = tx.finish(outcome).await?;
    // The cached copy answers `GET /api/auth/session` and `ensure`: let the next request
    // read the new name from the store.
    domain.cache.forget(&session.token_hash).await;
    Ok(session.view(current.session.id))
}
