//! Writes the `last_seen_at` of the sessions validated past their minute, every
//! [`EVERY`], in one statement (see `hallpass_core::sessions::flush_touches`). Start-up
//! flushes once more when the server stops.

use std::{sync::Arc, time::Duration};

use crate::domain::{Domain, sessions::flush_touches};

/// How long a seen session waits for its `last_seen_at`: next to the minute it is
/// written at most once per, and to the idle timeout's minute of slack, nothing.
pub const EVERY: Duration = Duration::from_secs(1);

pub fn spawn(domain: Arc<Domain>) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            flush_touches(&domain).await;
        }
    });
}
