//! Purging: sessions whose absolute lifetime has passed (tombstones included), audit
//! events older than `AUDIT_RETENTION`, expired rows of the PostgreSQL cache, forgotten
//! login attempt counters and devices unseen for 90 days, in small batches so no lock is
//! held for long.

use std::time::Duration;

use anyhow::Context as _;
use chrono::{TimeDelta, Utc};

use crate::{
    cache::postgres,
    db::{DbPool, events, known_devices, sessions::SessionRow},
    domain::sessions::devices::REMEMBERED_FOR,
    throttle::postgres::purge_forgotten,
};

const BATCH: i64 = 500;
/// Breathing room between batches for the requests sharing the database. With 1,000
/// rows and 20 ms, purging a million expired sessions while serving doubled the p99 of
/// validations reading the database (bench/scale.sh).
const PAUSE: Duration = Duration::from_millis(50);

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Purged {
    pub sessions: usize,
    pub events: usize,
    pub cache_rows: usize,
    pub counter_rows: usize,
    pub known_devices: usize,
}

/// Purges until nothing expired is left; audit events older than `audit_retention` go
/// too.
pub async fn purge_expired(db: &DbPool, audit_retention: Duration) -> anyhow::Result<Purged> {
    let retention = TimeDelta::from_std(audit_retention).context("AUDIT_RETENTION is too long")?;
    let mut purged = Purged::default();
    // Where the next batch of each table resumes (see `SessionRow::purge_expired`).
    let (mut sessions_from, mut events_from) = (None, None);
    loop {
        let mut conn = db.get().await.context("purge: database connection")?;
        let now = Utc::now();
        let sessions;
        (sessions, sessions_from) =
            SessionRow::purge_expired(&mut conn, now, sessions_from, BATCH).await?;
        let old_events;
        (old_events, events_from) =
            events::purge_before(&mut conn, now - retention, events_from, BATCH).await?;
        let cache_rows = postgres::purge_expired(&mut conn, BATCH).await?;
        let counter_rows = purge_forgotten(&mut conn, BATCH).await?;
        let devices =
            known_devices::forget_unseen_since(&mut conn, now - REMEMBERED_FOR, BATCH).await?;
        drop(conn);
        purged.sessions += sessions;
        purged.events += old_events;
        purged.cache_rows += cache_rows;
        purged.counter_rows += counter_rows;
        purged.known_devices += devices;
        if [sessions, old_events, cache_rows, counter_rows, devices]
            .iter()
            .all(|&purged| purged < BATCH as usize)
        {
            return Ok(purged);
        }
        tokio::time::sleep(PAUSE).await;
    }
}

/// Runs [`purge_expired`] every `every` for as long as the server runs.
pub fn spawn_periodic(db: DbPool, every: Duration, audit_retention: Duration) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        loop {
            ticks.tick().await;
            match purge_expired(&db, audit_retention).await {
                Ok(purged) if purged != Purged::default() => {
                    tracing::info!(
                        purged.sessions = purged.sessions,
                        purged.events = purged.events,
                        purged.cache_rows = purged.cache_rows,
                        purged.counter_rows = purged.counter_rows,
                        purged.known_devices = purged.known_devices,
                        "purged expired rows"
                    );
                }
                Ok(_) => {}
                Err(error) => tracing::warn!("purge failed: {error:#}"),
            }
        }
    });
}
