//! Login attempt counters, shared by every instance: Redis when the session cache is
//! Redis, PostgreSQL when it is PostgreSQL, process memory only for the single instance
//! `SESSION_CACHE=memory` means.
//!
//! A key counts the attempts that were let through. One atomic operation, one round trip,
//! takes an attempt's slot on several keys before its password is checked: if any key is
//! locked it changes nothing and says how long to wait; otherwise it counts the attempt
//! on every key and locks each key that reached its limit for a delay that doubles with
//! every attempt past the limit ([`Backoff`]). So N parallel attempts never get more than
//! a limit's worth of password checks, and an attacker cannot renew a lock without
//! spending a guess. A success forgets the keys that judged the account and gives back
//! its slot on the others.

pub mod memory;
pub mod postgres;
pub mod redis;

use std::{sync::atomic::AtomicBool, sync::atomic::Ordering, time::Duration};

/// One key an attempt is counted on, and how many attempts it allows before the delays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charge {
    pub key: String,
    pub limit: u32,
}

/// The answer to an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Counted: go on and check the password.
    Allowed,
    /// Refused (and not counted): a key is locked this much longer.
    Wait(Duration),
}

/// The delay after the `limit`-th attempt: `base`, doubling with each attempt past it,
/// never more than `cap`. A key nobody tries for `2 × cap` is forgotten.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base: Duration,
    pub cap: Duration,
}

/// Doubling stops here (2^30 × base is far past any sensible cap).
const MAX_DOUBLINGS: u32 = 30;

impl Backoff {
    /// The lock after an attempt that brought a key's count to `count`.
    pub fn delay(&self, count: u32, limit: u32) -> Option<Duration> {
        let over = count.checked_sub(limit)?;
        let doubled = self.base.saturating_mul(1 << over.min(MAX_DOUBLINGS));
        Some(doubled.min(self.cap))
    }

    /// How long an untouched key is remembered.
    pub fn memory(&self) -> Duration {
        self.cap.saturating_mul(2)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("login attempt counters: {0}")]
pub struct StoreError(pub String);

/// Where the counters live. Every operation is atomic in the store and one round trip.
#[async_trait::async_trait]
pub trait AttemptStore: Send + Sync {
    fn name(&self) -> &'static str;
    /// Takes an attempt's slot on every key of `charges`, unless one is locked.
    async fn attempt(&self, charges: &[Charge], backoff: Backoff) -> Result<Verdict, StoreError>;
    /// After a success: forgets the `reset` keys, gives one attempt back on `release`.
    async fn settle(&self, reset: &[String], release: &[String]) -> Result<(), StoreError>;
}

/// The configured store, and process-memory counters to fall back on while it fails:
/// logins keep being throttled (per instance, so limits multiply by the number of
/// instances for that while) rather than refused or let through unthrottled.
pub struct AttemptCounters {
    store: Box<dyn AttemptStore>,
    fallback: memory::MemoryAttempts,
    failing: AtomicBool,
}

impl AttemptCounters {
    pub fn new(store: Box<dyn AttemptStore>) -> Self {
        Self {
            store,
            fallback: memory::MemoryAttempts::default(),
            failing: AtomicBool::new(false),
        }
    }

    pub fn backend_name(&self) -> &'static str {
        self.store.name()
    }

    pub async fn attempt(&self, charges: &[Charge], backoff: Backoff) -> Verdict {
        match self.store.attempt(charges, backoff).await {
            Ok(verdict) => {
                self.recovered();
                verdict
            }
            Err(error) => {
                self.failed(&error);
                self.fallback
                    .attempt(charges, backoff)
                    .await
                    .unwrap_or(Verdict::Allowed)
            }
        }
    }

    pub async fn settle(&self, reset: &[String], release: &[String]) {
        if let Err(error) = self.store.settle(reset, release).await {
            self.failed(&error);
        }
        // The fallback may have counted while the store was down.
        let _ = self.fallback.settle(reset, release).await;
    }

    fn failed(&self, error: &StoreError) {
        if !self.failing.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                "{error}; {} is failing, counting login attempts on this instance only \
                 until it answers",
                self.store.name()
            );
        }
    }

    fn recovered(&self) {
        if self.failing.swap(false, Ordering::Relaxed) {
            tracing::info!(
                "login attempt counters are shared again ({})",
                self.store.name()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delay_doubles_past_the_limit_up_to_the_cap() {
        let backoff = Backoff {
            base: Duration::from_secs(1),
            cap: Duration::from_secs(900),
        };
        let delays: Vec<u64> = (1..=16)
            .filter_map(|count| backoff.delay(count, 5))
            .map(|delay| delay.as_secs())
            .collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]);
        assert_eq!(backoff.delay(u32::MAX, 5), Some(Duration::from_secs(900)));
    }
}
