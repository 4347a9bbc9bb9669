//! The once-a-minute `last_seen_at` refresh, batched: validation only notes that a
//! session was seen (never waiting for a database write, never starting one), and
//! [`flush_touches`] writes every noted session in one statement, on a timer and at
//! shutdown. A burst of first requests after the minute mark costs one write, not one
//! commit each.

use std::{
    collections::HashMap,
    sync::{Mutex, MutexGuard, PoisonError},
};

use chrono::{DateTime, Utc};
use hallpass_shared::SessionId;

use super::CurrentSession;
use crate::{
    Domain, Ports,
    cached::{CachedSession, HeldSession},
    ports::{Queries as _, SessionCache as _, Store as _},
    rules::TOUCH_INTERVAL,
    token::TokenHash,
};

/// A session seen past its minute: its cached copy, and when it was seen.
struct Seen {
    hash: TokenHash,
    cached: CachedSession,
    at: DateTime<Utc>,
}

/// The sessions seen on this instance since the last flush whose `last_seen_at` is due.
#[derive(Default)]
pub struct Touches(Mutex<HashMap<SessionId, Seen>>);

impl Touches {
    fn lock(&self) -> MutexGuard<'_, HashMap<SessionId, Seen>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Everything noted so far; the next flush starts afresh.
    fn take(&self) -> HashMap<SessionId, Seen> {
        std::mem::take(&mut *self.lock())
    }
}

/// Notes that `current` was seen at `now`, when its `last_seen_at` is over a minute old.
pub(super) fn touch_if_stale<P: Ports>(
    domain: &Domain<P>,
    current: &CurrentSession,
    now: DateTime<Utc>,
) {
    if !domain.policy.needs_touch(current.session.last_seen_at, now) {
        return;
    }
    let mut touches = domain.touches.lock();
    let seen = touches.entry(current.session.id).or_insert_with(|| Seen {
        hash: current.token_hash,
        cached: CachedSession::clone(current),
        at: now,
    });
    seen.at = seen.at.max(now);
}

/// Writes the noted sessions' `last_seen_at` in one statement, guarded so that it can
/// never touch (let alone revive) a revoked or expired session, then tells the cache:
/// a written session's cached copy gets its new time; one the statement did not write
/// (another instance refreshed it, or it just died) is dropped from the cache, so the
/// next request reads the store. Returns how many were written. A store that does not
/// answer loses this round's times (the next requests note them again).
pub async fn flush_touches<P: Ports>(domain: &Domain<P>) -> usize {
    let seen = domain.touches.take();
    if seen.is_empty() {
        return 0;
    }
    let noted: Vec<(SessionId, DateTime<Utc>)> =
        seen.iter().map(|(id, seen)| (*id, seen.at)).collect();
    let written = async {
        let mut conn = domain.store.connect().await?;
        conn.touch_sessions(&noted, TOUCH_INTERVAL).await
    }
    .await;
    let written = match written {
        Ok(written) => written,
        Err(error) => {
            tracing::warn!(
                "could not refresh last_seen_at of {} sessions: {error}",
                seen.len()
            );
            return 0;
        }
    };
    for (
        id,
        Seen {
            hash,
            mut cached,
            at,
        },
    ) in seen
    {
        if written.contains(&id) {
            cached.session.last_seen_at = at;
            let ttl = domain.policy.cache_ttl_until(cached.session.expires_at, at);
            domain
                .cache
                .refresh(&hash, &HeldSession::new(cached), ttl)
                .await;
        } else {
            domain.cache.forget(&hash).await;
        }
    }
    written.len()
}
