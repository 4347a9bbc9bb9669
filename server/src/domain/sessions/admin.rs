//! Admins overseeing sessions: any user's sessions, revoking one or all of them.
//! Every action is audited with the admin's id as `by`.

use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection as _;
use hallpass_shared::{RevokedReason, SessionView};
use uuid::Uuid;

use super::{CurrentSession, forget_revoked, revoke::revoke_session};
use crate::{
    auth::extract::ClientInfo,
    db::{events, sessions::SessionRow, users::UserRow},
    domain::audit,
    error::ApiError,
    state::AppState,
};

/// A user's live sessions, newest first; 404 for an unknown user.
pub async fn list_of_user(
    state: &AppState,
    admin: &CurrentSession,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Vec<SessionView>, ApiError> {
    let mut conn = state.db.get().await?;
    UserRow::find(&mut conn, user_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let rows =
        SessionRow::list_active_for_user(&mut conn, user_id, now, super::idle_cutoff(state, now))
            .await?;
    Ok(rows.iter().map(|row| row.view(admin.session.id)).collect())
}

/// Revokes any active session; 404 when there is none with this id.
pub async fn revoke_any(
    state: &AppState,
    admin: &CurrentSession,
    id: Uuid,
    client: &ClientInfo,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let by = admin.user.id;
    revoke_session(state, id, None, by, RevokedReason::Admin, client, now).await
}

/// Revokes every session of a user, and through `sessions_valid_after` any cookie of
/// theirs issued before now; returns how many sessions were active. 404 for an unknown user.
pub async fn revoke_all_of_user(
    state: &AppState,
    admin: &CurrentSession,
    user_id: Uuid,
    client: &ClientInfo,
    now: DateTime<Utc>,
) -> Result<u64, ApiError> {
    let by = admin.user.id;
    let mut conn = state.db.get().await?;
    let rows = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            if UserRow::set_sessions_valid_after(conn, user_id, now).await? == 0 {
                return Err(ApiError::NotFound);
            }
            let rows =
                SessionRow::revoke_all_for_user(conn, user_id, None, RevokedReason::Admin, now)
                    .await?;
            events::insert_all(conn, &audit::revocations(&rows, Some(by), Some(client))).await?;
            Ok(rows)
        })
        .await?;
    drop(conn);
    forget_revoked(state, &rows).await;
    Ok(rows.len() as u64)
}
