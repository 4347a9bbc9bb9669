//! What probes and monitoring ask: can this instance reach its dependencies, and how many
//! sessions are active.

use chrono::{DateTime, Utc};

use crate::{
    Domain, Ports,
    ports::{Queries as _, SessionCache as _, Store as _},
};

/// Which dependencies answer right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Readiness {
    pub database: bool,
    pub cache: bool,
}

impl<P: Ports> Domain<P> {
    /// Asks the store and the cache once each (the cache ignoring its backoff).
    pub async fn readiness(&self) -> Readiness {
        Readiness {
            database: self.store.ping().await,
            cache: self.cache.ping().await,
        }
    }

    /// Sessions active and unexpired at `now`; `None` when the store does not answer.
    pub async fn active_sessions(&self, now: DateTime<Utc>) -> Option<i64> {
        let mut conn = self.store.connect().await.ok()?;
        conn.count_live_sessions(now).await.ok()
    }
}
