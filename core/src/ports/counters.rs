//! Login attempt counters, shared by every instance (Redis, PostgreSQL, or memory in the
//! server). One atomic operation takes an attempt's slot on several keys before its
//! password is checked: if any key is locked it changes nothing and says how long to
//! wait; otherwise it counts the attempt on every key and locks each key that reached its
//! limit for a delay that doubles with every attempt past the limit ([`Backoff`]).

use std::time::Duration;

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
pub const MAX_DOUBLINGS: u32 = 30;

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

pub trait AttemptCounters: Send + Sync + 'static {
    /// Name for logs: `redis`, `postgres`, `memory`.
    fn backend_name(&self) -> &'static str;

    /// Takes an attempt's slot on every key of `charges`, unless one is locked. Never
    /// fails: counters that cannot answer count on this instance meanwhile.
    fn attempt(&self, charges: &[Charge], backoff: Backoff)
    -> impl Future<Output = Verdict> + Send;

    /// After a success: forgets the `reset` keys, gives one attempt back on `release`.
    fn settle(&self, reset: &[String], release: &[String]) -> impl Future<Output = ()> + Send;
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
