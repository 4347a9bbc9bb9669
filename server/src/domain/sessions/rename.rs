//! A user naming their own sessions ("School laptop").

use diesel_async::AsyncConnection as _;
use hallpass_shared::{EventKind, RenameSession, SessionId, SessionView, validate};
use serde_json::json;

use super::CurrentSession;
use crate::{
    db::{events, sessions::SessionRow},
    domain::{Client, Domain, Error, Result, audit},
};

/// Names one of the caller's active sessions (a blank or absent name removes it), audited
/// with the old and new names. 404 when `id` is not an active session of theirs.
pub async fn rename(
    domain: &Domain,
    current: &CurrentSession,
    id: SessionId,
    rename: RenameSession,
    client: &Client,
) -> Result<SessionView> {
    let name = rename
        .name
        .as_deref()
        .map(validate::session_name)
        .transpose()
        .map_err(|invalid| Error::Invalid(format!("name: {invalid}")))?
        .flatten();
    let user_id = current.user.id;
    let mut conn = domain.db.get().await?;
    let row = conn
        .transaction::<_, Error, _>(async move |conn| {
            let before = SessionRow::find_active_of(conn, id, user_id)
                .await?
                .ok_or(Error::NotFound)?;
            let row = SessionRow::rename(conn, id, user_id, name)
                .await?
                .ok_or(Error::NotFound)?;
            let event = audit::event(
                EventKind::SessionRenamed,
                Some(user_id),
                Some(id),
                Some(client),
                json!({ "name": { "from": before.name, "to": row.name } }),
            );
            events::insert_all(conn, &[event]).await?;
            Ok(row)
        })
        .await?;
    drop(conn);
    // The cached copy answers `GET /api/auth/session` and `ensure`: let the next request
    // read the new name from the database.
    domain.cache.forget(&row.token_hash).await;
    Ok(row.view(current.session.id))
}
