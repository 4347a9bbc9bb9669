//! Probes a failing shared cache every [`PROBE_EVERY`] and, once it answers, delivers the
//! fences a revocation could not deliver meanwhile before requests use it again: the
//! other instances read the shared cache, and must stop trusting a revoked session as
//! soon as the cache is back, not when this instance next serves a request.

use std::sync::Arc;

use crate::cache::{Cache, PROBE_EVERY};

pub fn spawn(cache: Arc<Cache>) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(PROBE_EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            cache.probe().await;
        }
    });
}
