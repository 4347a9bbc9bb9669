//! Purging: sessions whose absolute lifetime has passed (tombstones included), expired
//! rows of the PostgreSQL cache and forgotten login attempt counters, in small batches so
//! no lock is held for long.

use std::time::Duration;

use anyhow::Context as _;
use chrono::Utc;

use crate::{
    cache::postgres,
    db::{DbPool, sessions::SessionRow},
    throttle::postgres::purge_forgotten,
};

const BATCH: i64 = 1_000;
/// Breathing room between batches for the requests sharing the database.
const PAUSE: Duration = Duration::from_millis(20);

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Purged {
    pub sessions: usize,
    pub cache_rows: usize,
    pub counter_rows: usize,
}

/// Purges until nothing expired is left.
pub async fn purge_expired(db: &DbPool) -> anyhow::Result<Purged> {
    let mut purged = Purged::default();
    loop {
        let mut conn = db.get().await.context("purge: database connection")?;
        let sessions = SessionRow::purge_expired(&mut conn, Utc::now(), BATCH).await?;
        let cache_rows = postgres::purge_expired(&mut conn, BATCH).await?;
        let counter_rows = purge_forgotten(&mut conn, BATCH).await?;
        drop(conn);
        purged.sessions += sessions;
        purged.cache_rows += cache_rows;
        purged.counter_rows += counter_rows;
        if [sessions, cache_rows, counter_rows]
            .iter()
            .all(|&purged| purged < BATCH as usize)
        {
            return Ok(purged);
        }
        tokio::time::sleep(PAUSE).await;
    }
}

/// Runs [`purge_expired`] every `every` for as long as the server runs.
pub fn spawn_periodic(db: DbPool, every: Duration) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        loop {
            ticks.tick().await;
            match purge_expired(&db).await {
                Ok(purged) if purged != Purged::default() => {
                    tracing::info!(
                        purged.sessions = purged.sessions,
                        purged.cache_rows = purged.cache_rows,
                        purged.counter_rows = purged.counter_rows,
                        "purged expired rows"
                    );
                }
                Ok(_) => {}
                Err(error) => tracing::warn!("purge failed: {error:#}"),
            }
        }
    });
}
