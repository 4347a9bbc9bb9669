//! The active-sessions gauge, recounted in the background so that a scrape of `/metrics`
//! never waits for, or loads, the database. When the database does not answer, the gauge
//! keeps its last count (readiness reports the outage).

use std::{sync::Arc, time::Duration};

use chrono::Utc;

use crate::domain::Domain;

pub fn spawn_active_sessions(domain: Arc<Domain>, every: Duration) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match domain.active_sessions(Utc::now()).await {
                Some(count) => domain.metrics.set_active_sessions(count),
                None => tracing::debug!("active sessions not recounted: database unavailable"),
            }
        }
    });
}
