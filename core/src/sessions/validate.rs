//! Validating the session a request presents: the cache first, the store on a miss (one
//! question, then the cache is filled). Nothing is written on this path except the
//! once-a-minute `last_seen_at` refresh, which runs in the background.

use chrono::{DateTime, Utc};
use hallpass_shared::EventKind;
use serde_json::json;

use super::{CurrentSession, cache_session, touch::touch_if_stale};
use crate::{
    Client, Credential, Domain, Error, Lifetime, Ports, Rejection, Result, audit,
    model::{Session, User},
    ports::{Metrics as _, Queries, SessionCache as _, Source, Store as _, Tier, VALID},
    token::TokenHash,
};

/// The current session of a request presenting `credential` (`None`: no cookie or
/// bearer token, or not one of ours), or why it is refused. A refusal decided by the
/// store is audited.
pub async fn validate<P: Ports>(
    domain: &Domain<P>,
    credential: Option<Credential>,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<CurrentSession> {
    let Some(credential) = credential else {
        domain
            .metrics
            .validation(Rejection::Invalid.label(), Source::Cookie);
        return Err(Rejection::Invalid.into());
    };
    let hash = credential.token().hash();
    if let Some((current, tier)) = cached(domain, hash, now).await {
        domain.metrics.validation(VALID, Source::from(tier));
        touch_if_stale(domain, &current, now);
        return Ok(current);
    }
    // A miss, or expired while cached: the store decides.
    let mut conn = domain.store.connect().await?;
    let Some(found) = conn.session_with_user(&hash).await? else {
        return Err(audit_refusal(domain, &mut conn, Rejection::Invalid, hash, None, client).await);
    };
    let (session, user) =
        check_recorded(domain, &mut conn, &credential, hash, found, client, now).await?;
    drop(conn);
    let current = cache_session(domain, &session, &user, now).await;
    domain.metrics.validation(VALID, Source::Database);
    touch_if_stale(domain, &current, now);
    Ok(current)
}

/// The cached session for `hash` and the tier it came from, if there is one and it is
/// still within its lifetime.
pub(super) async fn cached<P: Ports>(
    domain: &Domain<P>,
    hash: TokenHash,
    now: DateTime<Utc>,
) -> Option<(CurrentSession, Tier)> {
    let (cached, tier) = domain.cache.get(&hash).await?;
    domain
        .policy
        .check_lifetime(cached.user.role, &Lifetime::of_view(&cached.session), now)
        .ok()?;
    Some((CurrentSession::new(cached, hash), tier))
}

/// The recorded session found for `credential`, if it belongs to its token (compared in
/// constant time) and, for a cookie, to the user it was minted for, and passes the rules;
/// otherwise the refusal, audited.
pub(super) async fn check_recorded<P: Ports>(
    domain: &Domain<P>,
    conn: &mut impl Queries,
    credential: &Credential,
    hash: TokenHash,
    (session, user): (Session, User),
    client: &Client,
    now: DateTime<Utc>,
) -> Result<(Session, User)> {
    let owned = hash.matches(&session.token_hash)
        && credential
            .user_id()
            .is_none_or(|user_id| user_id == session.user_id);
    if !owned {
        return Err(audit_refusal(domain, conn, Rejection::Invalid, hash, None, client).await);
    }
    if let Err(rejection) = domain.policy.check_record(&session, &user, now) {
        return Err(audit_refusal(domain, conn, rejection, hash, Some(&session), client).await);
    }
    Ok((session, user))
}

/// Counts a refused session in the metrics, records it in the audit trail if it is the
/// first refusal of this token within a minute, and returns the refusal as the error to
/// answer. A failure to write the event is logged, not answered: the refusal stands.
pub(super) async fn audit_refusal<P: Ports>(
    domain: &Domain<P>,
    conn: &mut impl Queries,
    rejection: Rejection,
    hash: TokenHash,
    session: Option<&Session>,
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
        session.map(|session| session.user_id),
        session.map(|session| session.id),
        Some(client),
        json!({ "reason": rejection.code() }),
    );
    if let Err(error) = conn.record(&[event]).await {
        tracing::warn!("could not record a refused session: {error}");
    }
    rejection.into()
}
