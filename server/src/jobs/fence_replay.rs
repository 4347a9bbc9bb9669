//! Delivers, every 200 ms, the cache fences a revocation could not deliver while the
//! cache was down: the other instances read the shared cache, and must stop trusting a
//! revoked session as soon as the cache is back, not when this instance next serves a
//! request.

use std::{sync::Arc, time::Duration};

use crate::cache::Cache;

const EVERY: Duration = Duration::from_millis(200);

pub fn spawn(cache: Arc<Cache>) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            cache.deliver_undelivered().await;
        }
    });
}
