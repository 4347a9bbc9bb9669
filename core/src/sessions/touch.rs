//! The once-a-minute `last_seen_at` refresh, run in the background so that validation
//! never waits for a database write.

use std::{
    collections::HashSet,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
};

use chrono::{DateTime, Utc};
use hallpass_shared::SessionId;

use super::CurrentSession;
use crate::{
    Domain, Ports,
    cached::{CachedSession, HeldSession},
    ports::{Queries as _, SessionCache as _, Store as _},
    rules::TOUCH_INTERVAL,
};

/// Sessions whose `last_seen_at` refresh is under way on this instance, so a burst of
/// requests past the minute mark starts one refresh rather than one each.
#[derive(Default)]
pub struct Touches(Mutex<HashSet<SessionId>>);

impl Touches {
    fn start(&self, id: SessionId) -> bool {
        self.lock().insert(id)
    }

    fn finish(&self, id: SessionId) {
        self.lock().remove(&id);
    }

    fn lock(&self) -> MutexGuard<'_, HashSet<SessionId>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Refreshes `last_seen_at` in the background when it is over a minute old. The
/// update is guarded in SQL, so it can never revive a revoked session, and the cache
/// write only replaces a cached session, never a fence. When it wrote, the cache gets the
/// new time; when it did not (another instance already refreshed it, or the session just
/// died), the cached entry is dropped so the next request reads the database instead of
/// trying again.
pub(super) fn touch_if_stale<P: Ports>(
    domain: &Arc<Domain<P>>,
    current: &CurrentSession,
    now: DateTime<Utc>,
) {
    let id = current.session.id;
    if !domain.policy.needs_touch(current.session.last_seen_at, now) || !domain.touches.start(id) {
        return;
    }
    let domain = Arc::clone(domain);
    let hash = current.token_hash;
    let mut cached = CachedSession::clone(current);
    tokio::spawn(async move {
        let touched = async {
            let mut conn = domain.store.connect().await?;
            conn.touch_session(id, now, TOUCH_INTERVAL).await
        }
        .await;
        match touched {
            Ok(true) => {
                cached.session.last_seen_at = now;
                let ttl = domain
                    .policy
                    .cache_ttl_until(cached.session.expires_at, now);
                domain
                    .cache
                    .refresh(&hash, &HeldSession::new(cached), ttl)
                    .await;
            }
            Ok(false) => domain.cache.forget(&hash).await,
            Err(error) => {
                tracing::warn!(session.id = %id, "could not refresh last_seen_at: {error}")
            }
        }
        domain.touches.finish(id);
    });
}
