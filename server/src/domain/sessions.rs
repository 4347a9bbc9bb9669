//! Session rules: login, validation, `ensure`, revocation, password change.
//!
//! Every change and the audit event recording it commit in one transaction; the cache
//! is told afterwards (and is only ever an accelerator: a dead row is never written back).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection as _, AsyncPgConnection};
use hallpass_shared::{
    ErrorCode, EventKind, LoginRequest, PasswordChange, RevokedReason, SessionView, UserView,
    validate,
};
use secrecy::SecretString;
use serde_json::json;
use uuid::Uuid;

use crate::{
    auth::{
        cookie::CookiePayload,
        extract::ClientInfo,
        password,
        token::{SessionToken, TokenHash},
    },
    cache::CachedSession,
    db::{
        events::{self, NewEvent},
        sessions::{NewSession, SessionRow},
        users::UserRow,
    },
    domain::{audit, user_agent},
    error::ApiError,
    state::AppState,
};

/// `last_seen_at` is written at most this often per session.
const TOUCH_INTERVAL: chrono::Duration = chrono::Duration::seconds(60);

/// A request's validated session: who is calling, from which session.
#[derive(Debug, Clone)]
pub struct CurrentSession {
    pub user: UserView,
    pub session: SessionView,
    pub token_hash: TokenHash,
}

/// Why a presented session was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    Invalid,
    Expired,
    Revoked,
    UserInactive,
}

impl Rejection {
    pub fn code(self) -> ErrorCode {
        match self {
            Self::Invalid => ErrorCode::SessionInvalid,
            Self::Expired => ErrorCode::SessionExpired,
            Self::Revoked => ErrorCode::SessionRevoked,
            Self::UserInactive => ErrorCode::UserInactive,
        }
    }
}

impl From<Rejection> for ApiError {
    fn from(rejection: Rejection) -> Self {
        Self::Unauthorized(rejection.code())
    }
}

/// Validates the cookie's session: the cache first, the database on a miss (one joined
/// query, then the cache is filled). No database write on this path except the
/// once-a-minute `last_seen_at` refresh, which runs in the background.
pub async fn validate(
    state: &Arc<AppState>,
    payload: Option<CookiePayload>,
    client: &ClientInfo,
    now: DateTime<Utc>,
) -> Result<CurrentSession, ApiError> {
    let payload = payload.ok_or(Rejection::Invalid)?;
    let hash = payload.token.hash();
    if let Some(cached) = state.cache.get(&hash).await
        && check_cached(state, &cached, now).is_ok()
    {
        touch_if_stale(state, hash, &cached, now);
        return Ok(CurrentSession {
            user: cached.user,
            session: cached.session,
            token_hash: hash,
        });
    }
    // A miss, or expired while cached: the database decides (and records why it refuses).
    let mut conn = state.db.get().await?;
    let found = SessionRow::find_with_user_by_hash(&mut conn, &hash.hex()).await?;
    let Some((row, user)) = found.filter(|(row, _)| owns(&payload, &hash, row)) else {
        return Err(reject(&mut conn, Rejection::Invalid, None, client).await);
    };
    if let Err(rejection) = check_row(state, &row, &user, now) {
        return Err(reject(&mut conn, rejection, Some(&row), client).await);
    }
    drop(conn);
    let current = remember(state, &hash, &row, &user, now).await;
    let cached = CachedSession {
        user: current.user,
        session: current.session,
    };
    touch_if_stale(state, hash, &cached, now);
    Ok(CurrentSession {
        user: cached.user,
        session: cached.session,
        token_hash: hash,
    })
}

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
    state
        .throttle
        .check(ip, &email)
        .map_err(|retry_after_secs| ApiError::RateLimited { retry_after_secs })?;

    let mut conn = state.db.get().await?;
    let user = UserRow::find_by_email(&mut conn, &email).await?;
    let oversized = request.password.chars().count() > validate::PASSWORD_MAX_CHARS;
    let password: SecretString = if oversized {
        String::new()
    } else {
        request.password
    }
    .into();
    let matched = password::verify(
        user.as_ref().map(|user| user.password_hash.clone()),
        password,
    )
    .await?;
    let user = match user {
        Some(user) if matched && !oversized => user,
        user => {
            state.throttle.record_failure(ip, &email);
            let user_id = user.map(|user| user.id);
            let failed = audit::event(
                EventKind::LoginFailed,
                user_id,
                None,
                Some(client),
                json!({ "email": email }),
            );
            events::insert_all(&mut conn, &[failed]).await?;
            return Err(ApiError::Unauthorized(ErrorCode::InvalidCredentials));
        }
    };
    if !user.is_active {
        let refused = audit::event(
            EventKind::LoginFailed,
            Some(user.id),
            None,
            Some(client),
            json!({ "reason": "user_inactive" }),
        );
        events::insert_all(&mut conn, &[refused]).await?;
        return Err(ApiError::Unauthorized(ErrorCode::UserInactive));
    }
    state.throttle.record_success(ip, &email);

    let payload = CookiePayload {
        token: SessionToken::generate()?,
        user_id: user.id,
        issued_at: now,
    };
    let hash = payload.token.hash();
    let hash_hex = hash.hex();
    let previous_hex = previous.map(|previous| previous.token.hash().hex());
    let new = new_session(state, &payload, &hash_hex, client, now);
    let settings = &state.settings;
    let (row, retired) = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let mut retired = match &previous_hex {
                Some(previous) => end_previous(conn, previous, now).await?,
                None => Vec::new(),
            };
            let row = new.insert(conn).await?;
            retired.extend(
                SessionRow::revoke_beyond_limit(
                    conn,
                    row.user_id,
                    settings.max_sessions_per_user,
                    now,
                )
                .await?,
            );
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
    state
        .cache
        .invalidate(retired.iter().map(|row| row.token_hash.as_str()))
        .await;
    let current = remember(state, &hash, &row, &user, now).await;
    Ok((current, payload))
}

/// Revokes the session a browser held before logging in again (reason `logout`), or
/// the oldest sessions when a new one pushes the user past the limit.
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
    Ok(
        SessionRow::revoke_for_user(conn, row.id, row.user_id, RevokedReason::Logout, now)
            .await?
            .into_iter()
            .collect(),
    )
}

/// The two answers of `ensure`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ensured {
    Exists,
    Created,
}

/// Makes sure the cookie's session has its record, creating it only for a cookie this
/// server minted and only while that cookie could still be valid. Idempotent by
/// construction: the insert is `ON CONFLICT (token_hash) DO NOTHING`, so concurrent calls
/// leave one row, and a revoked or expired tombstone is found, never replaced.
pub async fn ensure(
    state: &Arc<AppState>,
    payload: Option<CookiePayload>,
    client: &ClientInfo,
    now: DateTime<Utc>,
) -> Result<(Ensured, CurrentSession), ApiError> {
    let payload = payload.ok_or(Rejection::Invalid)?;
    let hash = payload.token.hash();
    if let Some(cached) = state.cache.get(&hash).await
        && check_cached(state, &cached, now).is_ok()
    {
        let current = CurrentSession {
            user: cached.user,
            session: cached.session,
            token_hash: hash,
        };
        return Ok((Ensured::Exists, current));
    }
    let mut conn = state.db.get().await?;
    let Some(user) = UserRow::find(&mut conn, payload.user_id).await? else {
        return Err(reject(&mut conn, Rejection::Invalid, None, client).await);
    };
    let hash_hex = hash.hex();
    let new = new_session(state, &payload, &hash_hex, client, now);
    let settings = &state.settings;
    let cookie_check = check_cookie(state, &payload, &user, now);
    let outcome = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            if let Some(row) = SessionRow::find_by_hash(conn, &hash_hex).await? {
                return Ok((Ensured::Exists, row, Vec::new()));
            }
            cookie_check?;
            let Some(row) = new.insert_if_absent(conn).await? else {
                // A concurrent call inserted it between our read and our insert.
                let row = SessionRow::find_by_hash(conn, &hash_hex)
                    .await?
                    .ok_or(Rejection::Invalid)?;
                return Ok((Ensured::Exists, row, Vec::new()));
            };
            let retired = SessionRow::revoke_beyond_limit(
                conn,
                row.user_id,
                settings.max_sessions_per_user,
                now,
            )
            .await?;
            let mut log = vec![audit::event(
                EventKind::SessionCreated,
                Some(row.user_id),
                Some(row.id),
                Some(client),
                json!({ "via": "ensure" }),
            )];
            log.extend(audit::revocations(
                &retired,
                Some(row.user_id),
                Some(client),
            ));
            events::insert_all(conn, &log).await?;
            Ok((Ensured::Created, row, retired))
        })
        .await;
    let (ensured, row, retired) = match outcome {
        Ok(outcome) => outcome,
        Err(ApiError::Unauthorized(code)) => {
            let rejection = rejection_of(code);
            return Err(reject(&mut conn, rejection, None, client).await);
        }
        Err(other) => return Err(other),
    };
    if !owns(&payload, &hash, &row) {
        return Err(reject(&mut conn, Rejection::Invalid, None, client).await);
    }
    if let Err(rejection) = check_row(state, &row, &user, now) {
        return Err(reject(&mut conn, rejection, Some(&row), client).await);
    }
    drop(conn);
    state
        .cache
        .invalidate(retired.iter().map(|row| row.token_hash.as_str()))
        .await;
    Ok((ensured, remember(state, &hash, &row, &user, now).await))
}

fn rejection_of(code: ErrorCode) -> Rejection {
    match code {
        ErrorCode::SessionExpired => Rejection::Expired,
        ErrorCode::SessionRevoked => Rejection::Revoked,
        ErrorCode::UserInactive => Rejection::UserInactive,
        _ => Rejection::Invalid,
    }
}

/// The caller's live sessions, newest first, the current one marked.
pub async fn list(
    state: &AppState,
    current: &CurrentSession,
    now: DateTime<Utc>,
) -> Result<Vec<SessionView>, ApiError> {
    let mut conn = state.db.get().await?;
    let rows =
        SessionRow::list_active_for_user(&mut conn, current.user.id, now, idle_cutoff(state, now))
            .await?;
    Ok(rows
        .iter()
        .map(|row| row.view(current.session.id))
        .collect())
}

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
    .map(drop)
}

/// Revokes one of the caller's sessions; 404 when the id is not an active session of theirs.
/// Returns whether it was the calling session.
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
) -> Result<SessionRow, ApiError> {
    let mut conn = state.db.get().await?;
    let user_id = current.user.id;
    let row = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let row = SessionRow::revoke_for_user(conn, id, user_id, reason, now)
                .await?
                .ok_or(ApiError::NotFound)?;
            events::insert_all(
                conn,
                &audit::revocations(std::slice::from_ref(&row), Some(user_id), Some(client)),
            )
            .await?;
            Ok(row)
        })
        .await?;
    drop(conn);
    state.cache.invalidate([row.token_hash.as_str()]).await;
    Ok(row)
}

/// Revokes every session of the caller but the current one; returns how many.
pub async fn revoke_others(
    state: &AppState,
    current: &CurrentSession,
    client: &ClientInfo,
    now: DateTime<Utc>,
) -> Result<u64, ApiError> {
    let rows = revoke_all_but(
        state,
        current,
        RevokedReason::Others,
        client,
        now,
        Vec::new(),
    )
    .await?;
    Ok(rows.len() as u64)
}

async fn revoke_all_but(
    state: &AppState,
    current: &CurrentSession,
    reason: RevokedReason,
    client: &ClientInfo,
    now: DateTime<Utc>,
    extra_events: Vec<NewEvent>,
) -> Result<Vec<SessionRow>, ApiError> {
    let mut conn = state.db.get().await?;
    let (user_id, keep) = (current.user.id, current.session.id);
    let rows = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let rows =
                SessionRow::revoke_all_for_user(conn, user_id, Some(keep), reason, now).await?;
            let mut log = extra_events;
            log.extend(audit::revocations(&rows, Some(user_id), Some(client)));
            events::insert_all(conn, &log).await?;
            Ok(rows)
        })
        .await?;
    drop(conn);
    state
        .cache
        .invalidate(rows.iter().map(|row| row.token_hash.as_str()))
        .await;
    Ok(rows)
}

/// Changes the caller's password and revokes every other session of theirs. Sessions
/// older than the current one also die through `sessions_valid_after`, so not even a
/// cookie whose row was lost could be brought back by `ensure`.
pub async fn change_password(
    state: &AppState,
    current: &CurrentSession,
    change: PasswordChange,
    client: &ClientInfo,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    validate::password(&change.new_password)
        .map_err(|invalid| ApiError::Validation(format!("new_password: {invalid}")))?;
    let ip = client.ip_addr();
    let email = current.user.email.clone();
    state
        .throttle
        .check(ip, &email)
        .map_err(|retry_after_secs| ApiError::RateLimited { retry_after_secs })?;
    let stored = {
        let mut conn = state.db.get().await?;
        UserRow::find(&mut conn, current.user.id)
            .await?
            .ok_or(Rejection::Invalid)?
            .password_hash
    };
    if !password::verify(Some(stored), change.current_password.into()).await? {
        state.throttle.record_failure(ip, &email);
        return Err(ApiError::Forbidden(ErrorCode::InvalidCredentials));
    }
    let new_hash = password::hash(change.new_password.into()).await?;
    let mut conn = state.db.get().await?;
    let (user_id, valid_after) = (current.user.id, current.session.created);
    conn.transaction::<_, ApiError, _>(async move |conn| {
        Ok(UserRow::set_password(conn, user_id, &new_hash, valid_after, now).await?)
    })
    .await?;
    drop(conn);
    let changed = audit::event(
        EventKind::PasswordChanged,
        Some(user_id),
        Some(current.session.id),
        Some(client),
        json!({}),
    );
    revoke_all_but(
        state,
        current,
        RevokedReason::PasswordChange,
        client,
        now,
        vec![changed],
    )
    .await?;
    Ok(())
}

fn new_session(
    state: &AppState,
    payload: &CookiePayload,
    hash_hex: &str,
    client: &ClientInfo,
    now: DateTime<Utc>,
) -> NewSession {
    let user_agent = client.user_agent();
    let platform = user_agent::parse(&user_agent);
    NewSession {
        user_id: payload.user_id,
        token_hash: hash_hex.to_owned(),
        ip_address: client.ip(),
        user_agent,
        device: platform.device,
        browser: platform.browser,
        os: platform.os,
        created: payload.issued_at,
        last_seen_at: now,
        expires_at: payload.issued_at + state.settings.session_ttl,
    }
}

/// The row belongs to the token presented (compared in constant time) and to the user
/// the cookie names.
fn owns(payload: &CookiePayload, hash: &TokenHash, row: &SessionRow) -> bool {
    hash.matches_hex(&row.token_hash) && row.user_id == payload.user_id
}

/// May a cookie with no record behind it get one?
fn check_cookie(
    state: &AppState,
    payload: &CookiePayload,
    user: &UserRow,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    if !user.is_active {
        return Err(Rejection::UserInactive.into());
    }
    if payload.issued_at + state.settings.session_ttl <= now {
        return Err(Rejection::Expired.into());
    }
    if user
        .sessions_valid_after
        .is_some_and(|valid_after| payload.issued_at < valid_after)
    {
        return Err(Rejection::Revoked.into());
    }
    Ok(())
}

fn check_row(
    state: &AppState,
    row: &SessionRow,
    user: &UserRow,
    now: DateTime<Utc>,
) -> Result<(), Rejection> {
    if !user.is_active {
        return Err(Rejection::UserInactive);
    }
    if !row.is_active
        || user
            .sessions_valid_after
            .is_some_and(|valid_after| row.created < valid_after)
    {
        return Err(Rejection::Revoked);
    }
    if row.expires_at <= now || idle_too_long(state, row.last_seen_at, now) {
        return Err(Rejection::Expired);
    }
    Ok(())
}

fn check_cached(
    state: &AppState,
    cached: &CachedSession,
    now: DateTime<Utc>,
) -> Result<(), Rejection> {
    if cached.session.expires_at <= now || idle_too_long(state, cached.session.last_seen_at, now) {
        return Err(Rejection::Expired);
    }
    Ok(())
}

/// Sessions last seen before this are idle-expired. `last_seen_at` is only written once
/// a minute, so the cut-off allows for that much staleness.
fn idle_cutoff(state: &AppState, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    state
        .settings
        .idle_timeout
        .map(|idle| now - idle - TOUCH_INTERVAL)
}

fn idle_too_long(state: &AppState, last_seen_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    idle_cutoff(state, now).is_some_and(|cutoff| last_seen_at < cutoff)
}

/// Caches a session the database just vouched for and returns it as the current one.
async fn remember(
    state: &AppState,
    hash: &TokenHash,
    row: &SessionRow,
    user: &UserRow,
    now: DateTime<Utc>,
) -> CurrentSession {
    let cached = CachedSession {
        user: user.into(),
        session: row.view(row.id),
    };
    let until_expiry = (row.expires_at - now).to_std().unwrap_or_default();
    state
        .cache
        .put(hash, &cached, state.settings.cache_ttl.min(until_expiry))
        .await;
    CurrentSession {
        user: cached.user,
        session: cached.session,
        token_hash: *hash,
    }
}

/// Refreshes `last_seen_at` in the background when it is over a minute old. The
/// update is guarded in SQL, so it can never revive a revoked session; the cache is
/// refreshed only if a row was written.
fn touch_if_stale(
    state: &Arc<AppState>,
    hash: TokenHash,
    cached: &CachedSession,
    now: DateTime<Utc>,
) {
    if now - cached.session.last_seen_at < TOUCH_INTERVAL {
        return;
    }
    let state = Arc::clone(state);
    let mut cached = cached.clone();
    tokio::spawn(async move {
        let Ok(mut conn) = state.db.get().await else {
            return;
        };
        match SessionRow::touch_last_seen(&mut conn, cached.session.id, now, TOUCH_INTERVAL).await {
            Ok(true) => {
                drop(conn);
                cached.session.last_seen_at = now;
                let until_expiry = (cached.session.expires_at - now)
                    .to_std()
                    .unwrap_or_default();
                state
                    .cache
                    .put(&hash, &cached, state.settings.cache_ttl.min(until_expiry))
                    .await;
            }
            Ok(false) => {}
            Err(error) => {
                tracing::warn!(session.id = %cached.session.id, "could not refresh last_seen_at: {error}")
            }
        }
    });
}

/// Records a refused session in the audit trail and turns it into the 401 to answer.
/// A failure to write the event is logged, not answered: the refusal stands.
async fn reject(
    conn: &mut AsyncPgConnection,
    rejection: Rejection,
    row: Option<&SessionRow>,
    client: &ClientInfo,
) -> ApiError {
    let kind = if rejection == Rejection::Expired {
        EventKind::SessionExpired
    } else {
        EventKind::ValidationFailed
    };
    let event = audit::event(
        kind,
        row.map(|row| row.user_id),
        row.map(|row| row.id),
        Some(client),
        json!({ "reason": rejection.code() }),
    );
    if let Err(error) = events::insert_all(conn, &[event]).await {
        tracing::warn!("could not record a refused session: {error}");
    }
    rejection.into()
}
