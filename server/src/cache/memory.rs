//! In-process cache: moka, bounded, each entry expiring after its own TTL. Each instance
//! has its own; the [invalidation channel](super::invalidation) carries revocations
//! between them.

use std::time::{Duration, Instant};

use moka::{Expiry, ops::compute::Op, sync::Cache};

use super::{CacheError, CachedSession, SessionCache, Slot};

pub struct MemoryCache {
    entries: Cache<String, Entry>,
}

#[derive(Clone)]
struct Entry {
    slot: Slot,
    ttl: Duration,
}

impl Entry {
    fn holds_session(&self) -> bool {
        matches!(self.slot, Slot::Session(_))
    }
}

/// Each entry lives for the TTL it was put with; reads do not extend it.
struct PerEntryTtl;

impl Expiry<String, Entry> for PerEntryTtl {
    fn expire_after_create(&self, _: &String, entry: &Entry, _: Instant) -> Option<Duration> {
        Some(entry.ttl)
    }

    fn expire_after_update(
        &self,
        _: &String,
        entry: &Entry,
        _: Instant,
        _: Option<Duration>,
    ) -> Option<Duration> {
        Some(entry.ttl)
    }
}

impl MemoryCache {
    /// Holds at most `capacity` entries; beyond it the least useful are evicted. An
    /// evicted session is only a future miss; an evicted fence reopens, while the cache is
    /// over capacity, the narrow race it closes (a fill from a database read made before
    /// the revocation committed).
    pub fn new(capacity: u64) -> Self {
        Self {
            entries: Cache::builder()
                .max_capacity(capacity)
                .expire_after(PerEntryTtl)
                .build(),
        }
    }
}

impl MemoryCache {
    /// Drops every entry, fences included.
    pub fn clear(&self) {
        self.entries.invalidate_all();
    }
}

#[async_trait::async_trait]
impl SessionCache for MemoryCache {
    fn name(&self) -> &'static str {
        "in-memory"
    }

    async fn get(&self, key: &str) -> Result<Option<Slot>, CacheError> {
        Ok(self.entries.get(key).map(|entry| entry.slot))
    }

    async fn fill(
        &self,
        key: &str,
        value: &CachedSession,
        ttl: Duration,
    ) -> Result<(), CacheError> {
        self.entries.entry_by_ref(key).or_insert_with(|| Entry {
            slot: Slot::Session(value.clone()),
            ttl,
        });
        Ok(())
    }

    async fn refresh(
        &self,
        key: &str,
        value: &CachedSession,
        ttl: Duration,
    ) -> Result<(), CacheError> {
        self.entries
            .entry_by_ref(key)
            .and_compute_with(|current| match current {
                Some(entry) if entry.value().holds_session() => Op::Put(Entry {
                    slot: Slot::Session(value.clone()),
                    ttl,
                }),
                _ => Op::Nop,
            });
        Ok(())
    }

    async fn forget(&self, key: &str) -> Result<(), CacheError> {
        self.entries
            .entry_by_ref(key)
            .and_compute_with(|current| match current {
                Some(entry) if entry.value().holds_session() => Op::Remove,
                _ => Op::Nop,
            });
        Ok(())
    }

    async fn fence(&self, keys: &[String], ttl: Duration) -> Result<(), CacheError> {
        for key in keys {
            let fence = Entry {
                slot: Slot::Fenced,
                ttl,
            };
            self.entries.insert(key.clone(), fence);
        }
        Ok(())
    }

    async fn ping(&self) -> Result<(), CacheError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::codec::tests::sample;

    fn session(slot: Option<Slot>) -> Option<CachedSession> {
        match slot {
            Some(Slot::Session(session)) => Some(session),
            _ => None,
        }
    }

    #[tokio::test]
    async fn entries_expire_after_their_own_ttl() {
        let cache = MemoryCache::new(10);
        let value = sample();
        cache
            .fill("short", &value, Duration::from_millis(50))
            .await
            .unwrap();
        cache
            .fill("long", &value, Duration::from_secs(60))
            .await
            .unwrap();
        assert_eq!(
            session(cache.get("short").await.unwrap()),
            Some(value.clone())
        );
        tokio::time::sleep(Duration::from_millis(120)).await;
        assert_eq!(cache.get("short").await.unwrap(), None);
        assert_eq!(session(cache.get("long").await.unwrap()), Some(value));
    }

    #[tokio::test]
    async fn fences_win_over_fills_refreshes_and_forgets() {
        let cache = MemoryCache::new(10);
        let (value, ttl) = (sample(), Duration::from_secs(60));
        cache.fence(&["k".to_owned()], ttl).await.unwrap();
        cache.fill("k", &value, ttl).await.unwrap();
        cache.refresh("k", &value, ttl).await.unwrap();
        cache.forget("k").await.unwrap();
        assert_eq!(cache.get("k").await.unwrap(), Some(Slot::Fenced));
    }

    #[tokio::test]
    async fn fills_never_replace_and_refreshes_never_create() {
        let cache = MemoryCache::new(10);
        let ttl = Duration::from_secs(60);
        let (first, mut second) = (sample(), sample());
        second.user.name = "Someone Else".into();
        cache.refresh("k", &first, ttl).await.unwrap();
        assert_eq!(cache.get("k").await.unwrap(), None);
        cache.fill("k", &first, ttl).await.unwrap();
        cache.fill("k", &second, ttl).await.unwrap();
        assert_eq!(session(cache.get("k").await.unwrap()), Some(first));
        cache.refresh("k", &second, ttl).await.unwrap();
        assert_eq!(session(cache.get("k").await.unwrap()), Some(second));
        cache.forget("k").await.unwrap();
        assert_eq!(cache.get("k").await.unwrap(), None);
    }
}
