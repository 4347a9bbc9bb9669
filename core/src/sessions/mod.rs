//! Sessions: validating a presented session in [`validate`] (with the batched
//! `last_seen_at` refresh of [`touch`]); recording a cookie's session in [`ensure`];
//! opening one at login in [`open`] and [`login`] (with password change); a user ending
//! their own in [`revoke`], naming them in [`rename`] and answering "was this you?" in
//! [`new_devices`]; admins' oversight in [`admin`]. The rules they apply are pure, in
//! [`crate::rules`].
//!
//! Every change and the audit events recording it commit in one transaction; the cache
//! is told afterwards, and is only ever an accelerator: a dead record is never written
//! back.

pub mod admin;
pub mod devices;
mod ensure;
mod login;
pub mod new_devices;
mod open;
pub mod reauth;
mod refusals;
mod rename;
mod revoke;
mod touch;
mod validate;

pub use ensure::{Ensured, ensure};
pub use login::{LoggedIn, change_password, login};
pub(crate) use refusals::RecentRefusals;
pub use rename::{RENAMES_PER_HOUR, rename};
pub use revoke::{logout, revoke_one, revoke_others};
pub(crate) use touch::Touches;
pub use touch::flush_touches;
pub use validate::validate;

use std::{ops::Deref, sync::Arc, time::Instant};

use chrono::{DateTime, Utc};
use hallpass_shared::{Role, SessionView, UserView};

use crate::{
    Domain, Lifetime, Ports, Result,
    cached::{CachedSession, HeldSession},
    model::{Session, User},
    ports::{Metrics as _, Queries as _, SessionCache as _, Store as _},
    token::TokenHash,
};

/// A request's validated session: who is calling (`user`), from which session
/// (`session`), as the cache holds it: a hit shares the cached copy rather than copying
/// it.
#[derive(Debug, Clone)]
pub struct CurrentSession {
    held: Arc<HeldSession>,
    pub token_hash: TokenHash,
}

impl CurrentSession {
    pub fn new(held: Arc<HeldSession>, token_hash: TokenHash) -> Self {
        Self { held, token_hash }
    }

    /// The answer of `GET /api/auth/session` and of login: the JSON of an
    /// [`AuthResponse`](hallpass_shared::AuthResponse), written once per cached copy.
    pub fn auth_response_json(&self) -> bytes::Bytes {
        self.held.auth_response_json()
    }
}

impl Deref for CurrentSession {
    type Target = CachedSession;

    fn deref(&self) -> &CachedSession {
        &self.held
    }
}

/// The caller's live sessions, newest first, the current one marked.
pub async fn list<P: Ports>(
    domain: &Domain<P>,
    current: &CurrentSession,
    now: DateTime<Utc>,
) -> Result<Vec<SessionView>> {
    let mut conn = domain.store.connect().await?;
    let idle_cutoff = domain.policy.idle_cutoff(current.user.role, now);
    let sessions = conn
        .live_sessions_of(current.user.id, now, idle_cutoff)
        .await?;
    Ok(views(
        &still_live(domain, current.user.role, sessions, now),
        current,
    ))
}

/// Of the sessions of a `role` user the store lists as live, those the rules still let
/// live now (a shared computer's shorter idle timeout, a policy changed a moment ago).
fn still_live<P: Ports>(
    domain: &Domain<P>,
    role: Role,
    mut sessions: Vec<Session>,
    now: DateTime<Utc>,
) -> Vec<Session> {
    sessions.retain(|session| {
        let lifetime = Lifetime::of(session);
        domain.policy.check_lifetime(role, &lifetime, now).is_ok()
    });
    sessions
}

/// Sessions as the holder of `current` sees them.
fn views(sessions: &[Session], current: &CurrentSession) -> Vec<SessionView> {
    sessions
        .iter()
        .map(|session| session.view(current.session.id))
        .collect()
}

/// Caches a session the store just vouched for and returns it as the current one.
async fn cache_session<P: Ports>(
    domain: &Domain<P>,
    session: &Session,
    user: &User,
    now: DateTime<Utc>,
) -> CurrentSession {
    let cached = HeldSession::new(CachedSession {
        user: UserView::from(user),
        session: session.view(session.id),
    });
    // `now` was taken before the store was read: counting the TTL from it keeps the entry
    // from outliving the fence of a revocation that committed after that read.
    let elapsed = (Utc::now() - now).to_std().unwrap_or_default();
    let ttl = domain
        .policy
        .cache_ttl_until(session.expires_at, now)
        .saturating_sub(elapsed);
    let read_at = Instant::now()
        .checked_sub(elapsed)
        .unwrap_or_else(Instant::now);
    let hash = session.token_hash;
    domain.cache.fill(&hash, &cached, ttl, read_at).await;
    CurrentSession::new(cached, hash)
}

/// After a transaction revoked `sessions`: fences them in the cache (so the very next
/// request with one of them is refused, and no fill racing the revocation can cache
/// them again) and counts them by reason in the metrics.
pub(crate) async fn uncache_and_count_revoked<P: Ports>(domain: &Domain<P>, sessions: &[Session]) {
    if sessions.is_empty() {
        return;
    }
    for session in sessions {
        domain.metrics.revoked(session.revoked_label());
    }
    let hashes: Vec<TokenHash> = sessions.iter().map(|session| session.token_hash).collect();
    domain.cache.fence(&hashes).await;
}

#[cfg(test)]
mod tests;
