//! The active-sessions gauge, recounted in the background so that a scrape of `/metrics`
//! never waits for, or loads, the database. When the database does not answer, the gauge
//! keeps its last count (readiness reports the outage). The count grows with the table
//! (280 ms at a million active sessions): recounts are spaced to keep it under 1% of a
//! database core per instance, so at least [`COST_SHARE`] times its last duration apart.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use chrono::Utc;

use crate::domain::Domain;

/// A recount waits at least this many times as long as the last one took.
const COST_SHARE: u32 = 100;

pub fn spawn_active_sessions(domain: Arc<Domain>, every: Duration) {
    tokio::spawn(async move {
        loop {
            let started = Instant::now();
            let cost = match domain.active_sessions(Utc::now()).await {
                Some(count) => {
                    domain.metrics.set_active_sessions(count);
                    started.elapsed()
                }
                None => {
                    tracing::debug!("active sessions not recounted: database unavailable");
                    Duration::ZERO
                }
            };
            tokio::time::sleep(every.max(cost * COST_SHARE)).await;
        }
    });
}
