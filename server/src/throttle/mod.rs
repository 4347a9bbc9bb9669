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

pub mod postgres;
pub mod redis;

use std::sync::atomic::{AtomicBool, Ordering};

pub use hallpass_core::ports::{Backoff, Charge, MAX_DOUBLINGS, Verdict};
use hallpass_core::{ports::AttemptCounters, throttle::memory::MemoryAttempts};

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
pub struct GuardedCounters {
    store: Box<dyn AttemptStore>,
    fallback: MemoryAttempts,
    failing: AtomicBool,
}

impl AttemptCounters for GuardedCounters {
    fn backend_name(&self) -> &'static str {
        self.store.name()
    }

    async fn attempt(&self, charges: &[Charge], backoff: Backoff) -> Verdict {
        match self.store.attempt(charges, backoff).await {
            Ok(verdict) => {
                self.recovered();
                verdict
            }
            Err(error) => {
                self.failed(&error);
                AttemptCounters::attempt(&self.fallback, charges, backoff).await
            }
        }
    }

    async fn settle(&self, reset: &[String], release: &[String]) {
        if let Err(error) = self.store.settle(reset, release).await {
            self.failed(&error);
        }
        // The fallback may have counted while the store was down.
        AttemptCounters::settle(&self.fallback, reset, release).await;
    }
}

/// The counters of a single instance (`SESSION_CACHE=memory`): process memory, which
/// never fails.
#[async_trait::async_trait]
impl AttemptStore for MemoryAttempts {
    fn name(&self) -> &'static str {
        AttemptCounters::backend_name(self)
    }

    async fn attempt(&self, charges: &[Charge], backoff: Backoff) -> Result<Verdict, StoreError> {
        Ok(AttemptCounters::attempt(self, charges, backoff).await)
    }

    async fn settle(&self, reset: &[String], release: &[String]) -> Result<(), StoreError> {
        AttemptCounters::settle(self, reset, release).await;
        Ok(())
    }
}

impl GuardedCounters {
    pub fn new(store: Box<dyn AttemptStore>) -> Self {
        Self {
            store,
            fallback: MemoryAttempts::default(),
            failing: AtomicBool::new(false),
        }
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
