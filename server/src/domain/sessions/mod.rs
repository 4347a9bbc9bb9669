//! Session rules: validation and `ensure` here; logging in and password change in
//! [`login`]; a user ending their own sessions in [`revoke`]; admins' oversight in [`admin`].
//!
//! Every change and the audit event recording it commit in one transaction; the cache
//! is told afterwards (and is only ever an accelerator: a dead row is never written back).

pub mod admin;
mod login;
mod revoke;

pub use login::{change_password, login};
pub use revoke::{logout, revoke_one, revoke_others};

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
};

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection as _, AsyncPgConnection};
use hallpass_shared::{ErrorCode, EventKind, SessionView, UserView};
use serde_json::json;
use uuid::Uuid;

use crate::{
    auth::{cookie::CookiePayload, extract::ClientInfo, token::TokenHash},
    cache::CachedSession,
    db::{
        events,
        sessions::{NewSession, SessionRow},
        users::UserRow,
    },
    domain::{audit, user_agent},
    error::ApiError,
    metrics::Source,
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
    let Some(payload) = payload else {
        state
            .metrics
            .validation(Some(Rejection::Invalid), Source::Cookie);
        return Err(Rejection::Invalid.into());
    };
    let hash = payload.token.hash();
    if let Some(cached) = state.cache.get(&hash).await
        && check_cached(state, &cached, now).is_ok()
    {
        state.metrics.validation(None, Source::Cache);
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
        return Err(reject(state, &mut conn, Rejection::Invalid, None, client).await);
    };
    if let Err(rejection) = check_row(state, &row, &user, now) {
        return Err(reject(state, &mut conn, rejection, Some(&row), client).await);
    }
    drop(conn);
    state.metrics.validation(None, Source::Database);
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
        return Err(reject(state, &mut conn, Rejection::Invalid, None, client).await);
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
            return Err(reject(state, &mut conn, rejection, None, client).await);
        }
        Err(other) => return Err(other),
    };
    if !owns(&payload, &hash, &row) {
        return Err(reject(state, &mut conn, Rejection::Invalid, None, client).await);
    }
    if let Err(rejection) = check_row(state, &row, &user, now) {
        return Err(reject(state, &mut conn, rejection, Some(&row), client).await);
    }
    drop(conn);
    forget_revoked(state, &retired).await;
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

/// After a transaction revoked `rows`: drop them from the cache (so the very next
/// request with one of them fails) and count them by reason.
pub(crate) async fn forget_revoked(state: &AppState, rows: &[SessionRow]) {
    if rows.is_empty() {
        return;
    }
    for row in rows {
        let reason = row
            .revoked_reason
            .map_or("unknown", |reason| reason.0.as_str());
        state.metrics.revoked(reason);
    }
    state
        .cache
        .invalidate(rows.iter().map(|row| row.token_hash.as_str()))
        .await;
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

/// Sessions whose `last_seen_at` refresh is under way on this instance, so a burst of
/// requests past the minute mark starts one refresh rather than one each.
#[derive(Default)]
pub struct Touches(Mutex<HashSet<Uuid>>);

impl Touches {
    fn start(&self, id: Uuid) -> bool {
        self.lock().insert(id)
    }

    fn finish(&self, id: Uuid) {
        self.lock().remove(&id);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashSet<Uuid>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Refreshes `last_seen_at` in the background when it is over a minute old. The
/// update is guarded in SQL, so it can never revive a revoked session. When it wrote,
/// the cache gets the new time; when it did not (another instance already refreshed it,
/// or the session just died), the cached entry is dropped so the next request reads the
/// database instead of trying again.
fn touch_if_stale(
    state: &Arc<AppState>,
    hash: TokenHash,
    cached: &CachedSession,
    now: DateTime<Utc>,
) {
    if now - cached.session.last_seen_at < TOUCH_INTERVAL || !state.touches.start(cached.session.id)
    {
        return;
    }
    let state = Arc::clone(state);
    let mut cached = cached.clone();
    tokio::spawn(async move {
        let id = cached.session.id;
        let touched = async {
            let mut conn = state.db.get().await.map_err(|error| error.to_string())?;
            SessionRow::touch_last_seen(&mut conn, id, now, TOUCH_INTERVAL)
                .await
                .map_err(|error| error.to_string())
        }
        .await;
        match touched {
            Ok(true) => {
                cached.session.last_seen_at = now;
                let until_expiry = (cached.session.expires_at - now)
                    .to_std()
                    .unwrap_or_default();
                state
                    .cache
                    .put(&hash, &cached, state.settings.cache_ttl.min(until_expiry))
                    .await;
            }
            Ok(false) => state.cache.invalidate([hash.hex().as_str()]).await,
            Err(error) => {
                tracing::warn!(session.id = %id, "could not refresh last_seen_at: {error}")
            }
        }
        state.touches.finish(id);
    });
}

/// Records a refused session in the audit trail and turns it into the 401 to answer.
/// A failure to write the event is logged, not answered: the refusal stands.
async fn reject(
    state: &AppState,
    conn: &mut AsyncPgConnection,
    rejection: Rejection,
    row: Option<&SessionRow>,
    client: &ClientInfo,
) -> ApiError {
    state.metrics.validation(Some(rejection), Source::Database);
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
