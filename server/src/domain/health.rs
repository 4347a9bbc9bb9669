//! What probes and monitoring ask: can this instance reach its dependencies, and how many
//! sessions are active.

use chrono::{DateTime, Utc};

use super::Domain;
use crate::db::{self, sessions::SessionRow};

/// Which dependencies answer right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Readiness {
    pub database: bool,
    pub cache: bool,
}

impl Domain {
    /// Asks the database and the cache once each (the cache ignoring its backoff).
    pub async fn readiness(&self) -> Readiness {
        let database = match self.db.get().await {
            Ok(mut conn) => db::ping(&mut conn).await.is_ok(),
            Err(_) => false,
        };
        let cache = self.cache.ping().await.is_ok();
        Readiness { database, cache }
    }

    /// Sessions active and unexpired at `now`; `None` when the database does not answer.
    pub async fn active_sessions(&self, now: DateTime<Utc>) -> Option<i64> {
        let mut conn = self.db.get().await.ok()?;
        SessionRow::count_active(&mut conn, now).await.ok()
    }
}
