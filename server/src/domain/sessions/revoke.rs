//! A user ending their own sessions: logout, one session, all the others.

use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection as _;
use hallpass_shared::RevokedReason;
use uuid::Uuid;

use super::{CurrentSession, forget_revoked};
use crate::{
    auth::extract::ClientInfo,
    db::{events, sessions::SessionRow},
    domain::audit,
    error::ApiError,
    state::AppState,
};

/// Ends the current session (logout).
pub async fn logout(
    state: &AppState,
    current: &CurrentSession,
    client: &ClientInfo,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    revoke_own(
        state,
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
    state: &AppState,
    current: &CurrentSession,
    id: Uuid,
    client: &ClientInfo,
    now: DateTime<Utc>,
) -> Result<bool, ApiError> {
    revoke_own(state, current, id, RevokedReason::User, client, now).await?;
    Ok(id == current.session.id)
}

async fn revoke_own(
    state: &AppState,
    current: &CurrentSession,
    id: Uuid,
    reason: RevokedReason,
    client: &ClientInfo,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let user_id = current.user.id;
    revoke_session(state, id, Some(user_id), user_id, reason, client, now).await
}

/// Revokes one active session (only if `owner`'s, when given) and audits it as done `by`
/// someone, in one transaction, then drops it from the cache. 404 when there is no such
/// session.
pub(super) async fn revoke_session(
    state: &AppState,
    id: Uuid,
    owner: Option<Uuid>,
    by: Uuid,
    reason: RevokedReason,
    client: &ClientInfo,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let mut conn = state.db.get().await?;
    let row = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let row = SessionRow::revoke(conn, id, owner, reason, now)
                .await?
                .ok_or(ApiError::NotFound)?;
            let log = audit::revocations(std::slice::from_ref(&row), Some(by), Some(client));
            events::insert_all(conn, &log).await?;
            Ok(row)
        })
        .await?;
    drop(conn);
    forget_revoked(state, std::slice::from_ref(&row)).await;
    Ok(())
}

/// Revokes every session of the caller but the current one; returns how many.
pub async fn revoke_others(
    state: &AppState,
    current: &CurrentSession,
    client: &ClientInfo,
    now: DateTime<Utc>,
) -> Result<u64, ApiError> {
    let (user_id, keep) = (current.user.id, current.session.id);
    let mut conn = state.db.get().await?;
    let rows = conn
        .transaction::<_, ApiError, _>(async move |conn| {
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
    forget_revoked(state, &rows).await;
    Ok(rows.len() as u64)
}
