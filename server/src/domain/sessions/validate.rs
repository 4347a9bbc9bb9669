//! Validating the session a request presents: the cache first, the database on a miss
//! (one joined query, then the cache is filled). No database write on this path except
//! the once-a-minute `last_seen_at` refresh, which runs in the background.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use hallpass_shared::EventKind;
use serde_json::json;

use super::{CurrentSession, Rejection, SessionClaim, cache_session, touch::touch_if_stale};
use crate::{
    cache::Tier,
    crypto::token::TokenHash,
    db::{events, sessions::SessionRow, users::UserRow},
    domain::{Client, Domain, Error, Result, audit},
    metrics::{Source, VALID},
};

/// The current session of a request carrying `claim` (`None`: no cookie, or not one of
/// ours), or why it is refused. A refusal decided by the database is audited.
pub async fn validate(
    domain: &Arc<Domain>,
    claim: Option<SessionClaim>,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<CurrentSession> {
    let Some(claim) = claim else {
        domain
            .metrics
            .validation(Rejection::Invalid.label(), Source::Cookie);
        return Err(Rejection::Invalid.into());
    };
    let hash = claim.token.hash();
    if let Some((current, tier)) = cached(domain, hash, now).await {
        domain.metrics.validation(VALID, Source::from(tier));
        touch_if_stale(domain, &current, now);
        return Ok(current);
    }
    // A miss, or expired while cached: the database decides.
    let mut conn = domain.db.get().await?;
    let found = SessionRow::find_with_user_by_hash(&mut conn, &hash.hex()).await?;
    let Some(found) = found else {
        return Err(audit_refusal(domain, &mut conn, Rejection::Invalid, hash, None, client).await);
    };
    let (row, user) = check_recorded(domain, &mut conn, &claim, hash, found, client, now).await?;
    drop(conn);
    let current = cache_session(domain, hash, &row, &user, now).await;
    domain.metrics.validation(VALID, Source::Database);
    touch_if_stale(domain, &current, now);
    Ok(current)
}

/// The cached session for `hash` and the tier it came from, if there is one and it is
/// still within its lifetime.
pub(super) async fn cached(
    domain: &Domain,
    hash: TokenHash,
    now: DateTime<Utc>,
) -> Option<(CurrentSession, Tier)> {
    let (cached, tier) = domain.cache.get(&hash).await?;
    let session = &cached.session;
    domain
        .policy
        .check_lifetime(session.expires_at, session.last_seen_at, now)
        .ok()?;
    Some((CurrentSession::new(cached, hash), tier))
}

/// The recorded session found for `claim`, if it belongs to the claim's token (compared
/// in constant time) and user and passes the rules; otherwise the refusal, audited.
pub(super) async fn check_recorded(
    domain: &Domain,
    conn: &mut AsyncPgConnection,
    claim: &SessionClaim,
    hash: TokenHash,
    (row, user): (SessionRow, UserRow),
    client: &Client,
    now: DateTime<Utc>,
) -> Result<(SessionRow, UserRow)> {
    let owned = hash.matches_hex(&row.token_hash) && row.user_id == claim.user_id;
    if !owned {
        return Err(audit_refusal(domain, conn, Rejection::Invalid, hash, None, client).await);
    }
    if let Err(rejection) = domain.policy.check_record(&row, &user, now) {
        return Err(audit_refusal(domain, conn, rejection, hash, Some(&row), client).await);
    }
    Ok((row, user))
}

/// Counts a refused session in the metrics, records it in the audit trail if it is the
/// first refusal of this token within a minute, and returns the refusal as the error to
/// answer. A failure to write the event is logged, not answered: the refusal stands.
pub(super) async fn audit_refusal(
    domain: &Domain,
    conn: &mut AsyncPgConnection,
    rejection: Rejection,
    hash: TokenHash,
    row: Option<&SessionRow>,
    client: &Client,
) -> Error {
    domain
        .metrics
        .validation(rejection.label(), Source::Database);
    if !domain.recent_refusals.first_in_window(hash) {
        return rejection.into();
    }
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
