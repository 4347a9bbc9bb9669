//! Sessions: the pure rules in [`rules`]; validating a presented session in [`validate`]
//! (with the background `last_seen_at` refresh of [`touch`]); recording a cookie's session
//! in [`ensure`]; opening one at login in [`open`] and [`login`] (with password change);
//! a user ending their own in [`revoke`]; admins' oversight in [`admin`].
//!
//! Every change and the audit event recording it commit in one transaction; the cache
//! is told afterwards, and is only ever an accelerator: a dead row is never written back.

pub mod admin;
mod claim;
pub mod devices;
mod ensure;
mod login;
pub mod new_devices;
mod open;
mod refusals;
mod rename;
mod revoke;
mod rules;
mod touch;
mod validate;

pub use claim::SessionClaim;
pub use ensure::{Ensured, ensure};
pub use login::{LoggedIn, change_password, login};
pub(super) use refusals::RecentRefusals;
pub use rename::rename;
pub use revoke::{logout, revoke_one, revoke_others};
pub use rules::{Rejection, SessionPolicy};
pub(super) use touch::Touches;
pub use validate::validate;

use std::{ops::Deref, sync::Arc, time::Instant};

use chrono::{DateTime, Utc};
use hallpass_shared::SessionView;

use super::{Domain, Result};
use crate::{
    cache::{CachedSession, HeldSession},
    crypto::token::TokenHash,
    db::{sessions::SessionRow, users::UserRow},
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
pub async fn list(
    domain: &Domain,
    current: &CurrentSession,
    now: DateTime<Utc>,
) -> Result<Vec<SessionView>> {
    let mut conn = domain.db.get().await?;
    let idle_cutoff = domain.policy.idle_cutoff(now);
    let rows =
        SessionRow::list_active_for_user(&mut conn, current.user.id, now, idle_cutoff).await?;
    Ok(rows
        .iter()
        .map(|row| row.view(current.session.id))
        .collect())
}

/// Caches a session the database just vouched for and returns it as the current one.
async fn cache_session(
    domain: &Domain,
    hash: TokenHash,
    row: &SessionRow,
    user: &UserRow,
    now: DateTime<Utc>,
) -> CurrentSession {
    let cached = HeldSession::new(CachedSession {
        user: user.into(),
        session: row.view(row.id),
    });
    // `now` was taken before the database read: counting the TTL from it keeps the entry
    // from outliving the fence of a revocation that committed after that read.
    let elapsed = (Utc::now() - now).to_std().unwrap_or_default();
    let ttl = domain
        .policy
        .cache_ttl_until(row.expires_at, now)
        .saturating_sub(elapsed);
    let read_at = Instant::now()
        .checked_sub(elapsed)
        .unwrap_or_else(Instant::now);
    domain.cache.fill(&hash, &cached, ttl, read_at).await;
    CurrentSession::new(cached, hash)
}

/// After a transaction revoked `rows`: fences them in the cache (so the very next
/// request with one of them is refused, and no fill racing the revocation can cache
/// them again) and counts them by reason in the metrics.
pub(crate) async fn uncache_and_count_revoked(domain: &Domain, rows: &[SessionRow]) {
    if rows.is_empty() {
        return;
    }
    for row in rows {
        let reason = row
            .revoked_reason
            .map_or("unknown", |reason| reason.0.as_str());
        domain.metrics.revoked(reason);
    }
    domain
        .cache
        .fence(rows.iter().map(|row| row.token_hash.as_str()))
        .await;
}
