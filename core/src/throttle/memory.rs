//! Counters in process memory: the store of a single instance (`SESSION_CACHE=memory`),
//! and every instance's fallback while its shared store fails.

use std::{collections::HashMap, sync::Mutex, time::Instant};

use crate::ports::{AttemptCounters, Backoff, Charge, Verdict};

/// Past this many keys, forgotten ones are swept on the next attempt.
const SWEEP_ABOVE: usize = 10_000;

#[derive(Default)]
pub struct MemoryAttempts {
    keys: Mutex<HashMap<String, Counter>>,
}

#[derive(Clone, Copy)]
struct Counter {
    count: u32,
    locked_until: Option<Instant>,
    forgotten_at: Instant,
}

impl MemoryAttempts {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Counter>> {
        // A panic while holding this lock leaves only counters behind; keep using them.
        self.keys
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl AttemptCounters for MemoryAttempts {
    fn backend_name(&self) -> &'static str {
        "memory"
    }

    async fn attempt(&self, charges: &[Charge], backoff: Backoff) -> Verdict {
        let now = Instant::now();
        let mut keys = self.lock();
        if keys.len() > SWEEP_ABOVE {
            keys.retain(|_, counter| counter.forgotten_at > now);
        }
        let live = |counter: &Counter| counter.forgotten_at > now;
        let wait = charges
            .iter()
            .filter_map(|charge| keys.get(&charge.key).filter(|c| live(c)))
            .filter_map(|counter| counter.locked_until?.checked_duration_since(now))
            .filter(|wait| !wait.is_zero())
            .max();
        if let Some(wait) = wait {
            return Verdict::Wait(wait);
        }
        for charge in charges {
            let fresh = Counter {
                count: 0,
                locked_until: None,
                forgotten_at: now,
            };
            let counter = keys.entry(charge.key.clone()).or_insert(fresh);
            if !live(counter) {
                *counter = fresh;
            }
            counter.count = counter.count.saturating_add(1);
            counter.forgotten_at = now + backoff.memory();
            if let Some(delay) = backoff.delay(counter.count, charge.limit) {
                counter.locked_until = Some(now + delay);
            }
        }
        Verdict::Allowed
    }

    async fn settle(&self, reset: &[String], release: &[String]) {
        let mut keys = self.lock();
        for key in reset {
            keys.remove(key);
        }
        for key in release {
            if let Some(counter) = keys.get_mut(key) {
                counter.count = counter.count.saturating_sub(1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    const BACKOFF: Backoff = Backoff {
        base: Duration::from_millis(40),
        cap: Duration::from_secs(60),
    };

    fn charge(key: &str, limit: u32) -> Charge {
        Charge {
            key: key.to_owned(),
            limit,
        }
    }

    #[tokio::test]
    async fn the_limit_th_attempt_locks_and_locked_attempts_are_not_counted() {
        let store = MemoryAttempts::default();
        let account = [charge("a", 3)];
        for _ in 0..3 {
            assert_eq!(store.attempt(&account, BACKOFF).await, Verdict::Allowed);
        }
        for _ in 0..10 {
            assert!(matches!(
                store.attempt(&account, BACKOFF).await,
                Verdict::Wait(_)
            ));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        // One more guess after the first delay, then twice as long.
        assert_eq!(store.attempt(&account, BACKOFF).await, Verdict::Allowed);
        let Verdict::Wait(wait) = store.attempt(&account, BACKOFF).await else {
            panic!("locked")
        };
        assert!(wait > Duration::from_millis(50), "{wait:?}");
        store.settle(&["a".to_owned()], &[]).await;
        assert_eq!(store.attempt(&account, BACKOFF).await, Verdict::Allowed);
    }

    #[tokio::test]
    async fn one_locked_key_refuses_without_counting_the_others() {
        let store = MemoryAttempts::default();
        store.attempt(&[charge("address", 1)], BACKOFF).await;
        let both = [charge("account", 3), charge("address", 1)];
        assert!(matches!(
            store.attempt(&both, BACKOFF).await,
            Verdict::Wait(_)
        ));
        assert_eq!(store.lock().get("account").map(|c| c.count), None);
    }
}
