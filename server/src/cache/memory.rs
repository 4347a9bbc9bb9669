//! In-process cache: moka, bounded, each entry expiring after its own TTL. Fastest, but
//! each instance has its own, so with several instances prefer Redis (a revocation on one
//! instance cannot reach another's memory).

use std::time::{Duration, Instant};

use moka::{Expiry, sync::Cache};

use super::{CacheError, CachedSession, SessionCache};

pub struct MemoryCache {
    entries: Cache<String, Entry>,
}

#[derive(Clone)]
struct Entry {
    value: CachedSession,
    ttl: Duration,
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
    /// Holds at most `capacity` sessions; beyond it the least useful are evicted (an
    /// evicted entry is only a future miss).
    pub fn new(capacity: u64) -> Self {
        Self {
            entries: Cache::builder()
                .max_capacity(capacity)
                .expire_after(PerEntryTtl)
                .build(),
        }
    }
}

#[async_trait::async_trait]
impl SessionCache for MemoryCache {
    fn name(&self) -> &'static str {
        "in-memory"
    }

    async fn get(&self, key: &str) -> Result<Option<CachedSession>, CacheError> {
        Ok(self.entries.get(key).map(|entry| entry.value))
    }

    async fn put(&self, key: &str, value: &CachedSession, ttl: Duration) -> Result<(), CacheError> {
        let entry = Entry {
            value: value.clone(),
            ttl,
        };
        self.entries.insert(key.to_owned(), entry);
        Ok(())
    }

    async fn delete_many(&self, keys: &[String]) -> Result<(), CacheError> {
        for key in keys {
            self.entries.invalidate(key);
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

    #[tokio::test]
    async fn entries_expire_after_their_own_ttl_and_can_be_deleted() {
        let cache = MemoryCache::new(10);
        let session = sample();
        cache
            .put("short", &session, Duration::from_millis(50))
            .await
            .unwrap();
        cache
            .put("long", &session, Duration::from_secs(60))
            .await
            .unwrap();
        assert_eq!(cache.get("short").await.unwrap(), Some(session.clone()));
        tokio::time::sleep(Duration::from_millis(120)).await;
        assert_eq!(cache.get("short").await.unwrap(), None);
        assert_eq!(cache.get("long").await.unwrap(), Some(session));
        cache.delete_many(&["long".to_owned()]).await.unwrap();
        assert_eq!(cache.get("long").await.unwrap(), None);
    }
}
