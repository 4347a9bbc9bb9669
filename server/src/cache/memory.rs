//! In-process cache: moka, bounded, each entry expiring after its own TTL, keyed by the
//! token hash itself. Each instance has its own; the
//! [invalidation channel](super::invalidation) carries revocations between them. Never
//! waits, so its operations are plain calls: this runs on every request.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use moka::{Expiry, ops::compute::Op, sync::Cache};

use hallpass_core::{TokenHash, cached::HeldSession};

pub struct MemoryCache {
    entries: Cache<TokenHash, Entry>,
}

#[derive(Clone)]
struct Entry {
    slot: Slot,
    ttl: Duration,
}

/// What a key holds: a session shared by the requests it serves, or a fence (see
/// [`Slot::Fenced`](super::Slot::Fenced)).
#[derive(Clone)]
enum Slot {
    Session(Arc<HeldSession>),
    Fenced,
}

impl Entry {
    fn holds_session(&self) -> bool {
        matches!(self.slot, Slot::Session(_))
    }
}

/// Each entry lives for the TTL it was put with; reads do not extend it.
struct PerEntryTtl;

impl Expiry<TokenHash, Entry> for PerEntryTtl {
    fn expire_after_create(&self, _: &TokenHash, entry: &Entry, _: Instant) -> Option<Duration> {
        Some(entry.ttl)
    }

    fn expire_after_update(
        &self,
        _: &TokenHash,
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

    /// The session held for `hash`; `None` on a miss and behind a fence.
    pub fn get(&self, hash: &TokenHash) -> Option<Arc<HeldSession>> {
        match self.entries.get(hash)?.slot {
            Slot::Session(session) => Some(session),
            Slot::Fenced => None,
        }
    }

    /// Holds `value` for `ttl` only if the key holds nothing (no session, no fence).
    pub fn fill(&self, hash: &TokenHash, value: &Arc<HeldSession>, ttl: Duration) {
        self.entries.entry_by_ref(hash).or_insert_with(|| Entry {
            slot: Slot::Session(Arc::clone(value)),
            ttl,
        });
    }

    /// Replaces the session the key holds with `value`; does nothing to a fence or an
    /// empty key.
    pub fn refresh(&self, hash: &TokenHash, value: &Arc<HeldSession>, ttl: Duration) {
        self.entries
            .entry_by_ref(hash)
            .and_compute_with(|current| match current {
                Some(entry) if entry.value().holds_session() => Op::Put(Entry {
                    slot: Slot::Session(Arc::clone(value)),
                    ttl,
                }),
                _ => Op::Nop,
            });
    }

    /// Removes the session the key holds; never removes a fence.
    pub fn forget(&self, hash: &TokenHash) {
        self.entries
            .entry_by_ref(hash)
            .and_compute_with(|current| match current {
                Some(entry) if entry.value().holds_session() => Op::Remove,
                _ => Op::Nop,
            });
    }

    /// Puts a fence on every key for `ttl`, whatever they held.
    pub fn fence(&self, hashes: &[TokenHash], ttl: Duration) {
        for hash in hashes {
            let fence = Entry {
                slot: Slot::Fenced,
                ttl,
            };
            self.entries.insert(*hash, fence);
        }
    }

    /// Drops every entry, fences included.
    pub fn clear(&self) {
        self.entries.invalidate_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::codec::tests::sample;
    use hallpass_core::SessionToken;

    fn hash() -> TokenHash {
        SessionToken::generate().unwrap().hash()
    }

    #[tokio::test]
    async fn entries_expire_after_their_own_ttl() {
        let cache = MemoryCache::new(10);
        let value = HeldSession::new(sample());
        let (short, long) = (hash(), hash());
        cache.fill(&short, &value, Duration::from_millis(50));
        cache.fill(&long, &value, Duration::from_secs(60));
        assert_eq!(cache.get(&short), Some(value.clone()));
        tokio::time::sleep(Duration::from_millis(120)).await;
        assert_eq!(cache.get(&short), None);
        assert_eq!(cache.get(&long), Some(value));
    }

    #[test]
    fn fences_win_over_fills_refreshes_and_forgets() {
        let cache = MemoryCache::new(10);
        let (value, ttl, key) = (HeldSession::new(sample()), Duration::from_secs(60), hash());
        cache.fence(&[key], ttl);
        cache.fill(&key, &value, ttl);
        cache.refresh(&key, &value, ttl);
        cache.forget(&key);
        assert_eq!(cache.get(&key), None);
        cache.fill(&key, &value, ttl);
        assert_eq!(cache.get(&key), None, "the fence still stands");
    }

    #[test]
    fn fills_never_replace_and_refreshes_never_create() {
        let cache = MemoryCache::new(10);
        let (ttl, key) = (Duration::from_secs(60), hash());
        let mut second = sample();
        second.user.name = "Someone Else".into();
        let (first, second) = (HeldSession::new(sample()), HeldSession::new(second));
        cache.refresh(&key, &first, ttl);
        assert_eq!(cache.get(&key), None);
        cache.fill(&key, &first, ttl);
        cache.fill(&key, &second, ttl);
        assert_eq!(cache.get(&key), Some(first));
        cache.refresh(&key, &second, ttl);
        assert_eq!(cache.get(&key), Some(second));
        cache.forget(&key);
        assert_eq!(cache.get(&key), None);
    }
}
