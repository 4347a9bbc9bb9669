//! Logging in and changing the password: the two places a password is checked.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection as _, AsyncPgConnection};
use hallpass_shared::{
    ErrorCode, EventKind, LoginRequest, PasswordChange, RevokedReason, validate,
};
use secrecy::SecretString;
use serde_json::json;

use super::{CurrentSession, Rejection, forget_revoked, new_session, remember};
use crate::{
    auth::{cookie::CookiePayload, extract::ClientInfo, password, token::SessionToken},
    db::{
        events::{self, NewEvent},
        sessions::SessionRow,
        users::UserRow,
    },
    domain::audit,
    error::ApiError,
    metrics::LoginOutcome,
    state::AppState,
};

/// Logs in: checks the password off the async workers, throttles failures, and records a
/// brand-new session (a new token whatever cookie came in; the browser's previous session,
/// if any, is ended). Returns the session and the payload for the new cookie.
pub async fn login(
    state: &Arc<AppState>,
    request: LoginRequest,
    client: &ClientInfo,
    previous: Option<CookiePayload>,
    now: DateTime<Utc>,
) -> Result<(CurrentSession, CookiePayload), ApiError> {
    let email = validate::normalize_email(&request.email);
    if email.is_empty() || request.password.is_empty() {
        return Err(ApiError::Validation(
            "email and password are required".into(),
        ));
    }
    let ip = client.ip_addr();
    if let Err(retry_after_secs) = state.throttle.check(ip, &email) {
        state.metrics.login(LoginOutcome::RateLimited);
        return Err(ApiError::RateLimited { retry_after_secs });
    }
    let user = authenticate(state, &email, request.password, client)
        .await
        .inspect_err(|error| {
            if matches!(error, ApiError::Unauthorized(_)) {
                state.metrics.login(LoginOutcome::Failed);
            }
        })?;
    state.throttle.record_success(ip, &email);
    state.metrics.login(LoginOutcome::Succeeded);
    open_session(state, &user, client, previous, now).await
}

/// The account behind `email` if `password` is its password and it is active. Failures
/// are counted by the throttle and audited; unknown emails and wrong passwords get the
/// same answer after the same work. No database connection is held while hashing.
async fn authenticate(
    state: &AppState,
    email: &str,
    password: String,
    client: &ClientInfo,
) -> Result<UserRow, ApiError> {
    let user = {
        let mut conn = state.db.get().await?;
        UserRow::find_by_email(&mut conn, email).await?
    };
    // Longer than any password we accept: never hash megabytes, still answer alike.
    let oversized = password.chars().count() > validate::PASSWORD_MAX_CHARS;
    let password: SecretString = if oversized { String::new() } else { password }.into();
    let stored_hash = user.as_ref().map(|user| user.password_hash.clone());
    let matched = password::verify(stored_hash, password).await? && !oversized;
    match user {
        Some(user) if matched && user.is_active => Ok(user),
        Some(user) if matched => {
            let detail = json!({ "reason": "user_inactive" });
            record(
                state,
                audit::event(
                    EventKind::LoginFailed,
                    Some(user.id),
                    None,
                    Some(client),
                    detail,
                ),
            )
            .await?;
            Err(ApiError::Unauthorized(ErrorCode::UserInactive))
        }
        user => {
            state.throttle.record_failure(client.ip_addr(), email);
            let detail = json!({ "email": email });
            let user_id = user.map(|user| user.id);
            record(
                state,
                audit::event(EventKind::LoginFailed, user_id, None, Some(client), detail),
            )
            .await?;
            Err(ApiError::Unauthorized(ErrorCode::InvalidCredentials))
        }
    }
}

async fn record(state: &AppState, event: NewEvent) -> Result<(), ApiError> {
    let mut conn = state.db.get().await?;
    events::insert_all(&mut conn, &[event]).await?;
    Ok(())
}

/// Records a new session for `user` in one transaction with its audit events, ending the
/// browser's previous session and any beyond the per-user limit; then caches it.
async fn open_session(
    state: &Arc<AppState>,
    user: &UserRow,
    client: &ClientInfo,
    previous: Option<CookiePayload>,
    now: DateTime<Utc>,
) -> Result<(CurrentSession, CookiePayload), ApiError> {
    let payload = CookiePayload {
        token: SessionToken::generate()?,
        user_id: user.id,
        issued_at: now,
    };
    let hash = payload.token.hash();
    let new = new_session(state, &payload, &hash.hex(), client, now);
    let previous_hex = previous.map(|previous| previous.token.hash().hex());
    let limit = state.settings.max_sessions_per_user;
    let mut conn = state.db.get().await?;
    let (row, retired) = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let mut retired = match &previous_hex {
                Some(previous) => end_previous(conn, previous, now).await?,
                None => Vec::new(),
            };
            let row = new.insert(conn).await?;
            retired.extend(SessionRow::revoke_beyond_limit(conn, row.user_id, limit, now).await?);
            let mut log = vec![
                audit::event(
                    EventKind::LoginSucceeded,
                    Some(row.user_id),
                    Some(row.id),
                    Some(client),
                    json!({}),
                ),
                audit::event(
                    EventKind::SessionCreated,
                    Some(row.user_id),
                    Some(row.id),
                    Some(client),
                    json!({ "via": "login" }),
                ),
            ];
            log.extend(audit::revocations(
                &retired,
                Some(row.user_id),
                Some(client),
            ));
            events::insert_all(conn, &log).await?;
            Ok((row, retired))
        })
        .await?;
    drop(conn);
    forget_revoked(state, &retired).await;
    let current = remember(state, &hash, &row, user, now).await;
    Ok((current, payload))
}

/// Revokes the session a browser held before logging in again (reason `logout`).
async fn end_previous(
    conn: &mut AsyncPgConnection,
    previous_hex: &str,
    now: DateTime<Utc>,
) -> Result<Vec<SessionRow>, ApiError> {
    let Some(row) = SessionRow::find_by_hash(conn, previous_hex)
        .await?
        .filter(|row| row.is_active)
    else {
        return Ok(Vec::new());
    };
    let revoked =
        SessionRow::revoke(conn, row.id, Some(row.user_id), RevokedReason::Logout, now).await?;
    Ok(revoked.into_iter().collect())
}

/// Changes the caller's password and, in the same transaction, revokes every other
/// session of theirs. Sessions older than the current one also die through
/// `sessions_valid_after`, so not even a cookie whose row was lost could be brought back
/// by `ensure`.
pub async fn change_password(
    state: &AppState,
    current: &CurrentSession,
    change: PasswordChange,
    client: &ClientInfo,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    validate::password(&change.new_password)
        .map_err(|invalid| ApiError::Validation(format!("new_password: {invalid}")))?;
    let (ip, email) = (client.ip_addr(), current.user.email.as_str());
    state
        .throttle
        .check(ip, email)
        .map_err(|retry_after_secs| ApiError::RateLimited { retry_after_secs })?;
    let stored_hash = {
        let mut conn = state.db.get().await?;
        UserRow::find(&mut conn, current.user.id)
            .await?
            .ok_or(Rejection::Invalid)?
            .password_hash
    };
    if !password::verify(Some(stored_hash), change.current_password.into()).await? {
        state.throttle.record_failure(ip, email);
        return Err(ApiError::Forbidden(ErrorCode::InvalidCredentials));
    }
    let new_hash = password::hash(change.new_password.into()).await?;
    let (user_id, keep, valid_after) =
        (current.user.id, current.session.id, current.session.created);
    let mut conn = state.db.get().await?;
    let revoked = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            UserRow::set_password(conn, user_id, &new_hash, valid_after, now).await?;
            let revoked = SessionRow::revoke_all_for_user(
                conn,
                user_id,
                Some(keep),
                RevokedReason::PasswordChange,
                now,
            )
            .await?;
            let mut log = vec![audit::event(
                EventKind::PasswordChanged,
                Some(user_id),
                Some(keep),
                Some(client),
                json!({}),
            )];
            log.extend(audit::revocations(&revoked, Some(user_id), Some(client)));
            events::insert_all(conn, &log).await?;
            Ok(revoked)
        })
        .await?;
    drop(conn);
    forget_revoked(state, &revoked).await;
    Ok(())
}
