//! In-process cache: a bounded map with per-entry expiry. Fastest, but each instance has
//! its own, so with several instances prefer Redis (a revocation on one instance cannot
//! reach another's memory).

use std::{
    collections::HashMap,
    sync::{PoisonError, RwLock},
    time::{Duration, Instant},
};

use super::{CacheError, CachedSession, SessionCache};

pub struct MemoryCache {
    capacity: usize,
    entries: RwLock<HashMap<String, Entry>>,
}

struct Entry {
    value: CachedSession,
    expires: Instant,
}

impl MemoryCache {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: RwLock::new(HashMap::new()),
        }
    }
}

#[async_trait::async_trait]
impl SessionCache for MemoryCache {
    fn name(&self) -> &'static str {
        "in-memory"
    }

    async fn get(&self, key: &str) -> Result<Option<CachedSession>, CacheError> {
        let entries = self.entries.read().unwrap_or_else(PoisonError::into_inner);
        Ok(entries
            .get(key)
            .filter(|entry| entry.expires > Instant::now())
            .map(|entry| entry.value.clone()))
    }

    async fn put(&self, key: &str, value: &CachedSession, ttl: Duration) -> Result<(), CacheError> {
        let now = Instant::now();
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= self.capacity && !entries.contains_key(key) {
            entries.retain(|_, entry| entry.expires > now);
            if entries.len() >= self.capacity {
                // Still full of live entries: drop one; a dropped entry is only a future miss.
                if let Some(victim) = entries.keys().next().cloned() {
                    entries.remove(&victim);
                }
            }
        }
        entries.insert(
            key.to_owned(),
            Entry {
                value: value.clone(),
                expires: now + ttl,
            },
        );
        Ok(())
    }

    async fn delete_many(&self, keys: &[String]) -> Result<(), CacheError> {
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        for key in keys {
            entries.remove(key);
        }
        Ok(())
    }

    async fn ping(&self) -> Result<(), CacheError> {
        Ok(())
    }
}
