//! The session cache in memory, one tier, with the real tiers' guarantees: a fill writes
//! only into an empty key, a refresh only replaces a session, nothing but expiry removes
//! a fence.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex, MutexGuard, PoisonError,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use crate::{
    cached::HeldSession,
    ports::{SessionCache, Tier},
    token::TokenHash,
};

/// How long a fence stands.
const FENCE_TTL: Duration = Duration::from_secs(61);

#[derive(Clone)]
enum Slot {
    Session(Arc<HeldSession>),
    Fenced,
}

#[derive(Default)]
pub struct MemoryCache {
    entries: Mutex<HashMap<TokenHash, (Slot, Instant)>>,
    /// How many times the role policies were announced as changed.
    policy_announcements: AtomicUsize,
}

impl MemoryCache {
    fn entries(&self) -> MutexGuard<'_, HashMap<TokenHash, (Slot, Instant)>> {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        entries.retain(|_, (_, expires)| *expires > now);
        entries
    }

    /// How many times the role policies were announced as changed.
    pub fn policy_announcements(&self) -> usize {
        self.policy_announcements.load(Ordering::Relaxed)
    }

    /// Whether a fence stands on `hash`.
    pub fn is_fenced(&self, hash: &TokenHash) -> bool {
        matches!(self.entries().get(hash), Some((Slot::Fenced, _)))
    }

    /// Whether a session is cached for `hash`.
    pub fn holds(&self, hash: &TokenHash) -> bool {
        matches!(self.entries().get(hash), Some((Slot::Session(_), _)))
    }
}

impl SessionCache for MemoryCache {
    async fn get(&self, hash: &TokenHash) -> Option<(Arc<HeldSession>, Tier)> {
        match self.entries().get(hash) {
            Some((Slot::Session(session), _)) => Some((Arc::clone(session), Tier::Local)),
            _ => None,
        }
    }

    async fn fill(&self, hash: &TokenHash, value: &Arc<HeldSession>, ttl: Duration, _: Instant) {
        if ttl.is_zero() {
            return;
        }
        self.entries()
            .entry(*hash)
            .or_insert_with(|| (Slot::Session(Arc::clone(value)), Instant::now() + ttl));
    }

    async fn refresh(&self, hash: &TokenHash, value: &Arc<HeldSession>, ttl: Duration) {
        if let Some(entry @ (Slot::Session(_), _)) = self.entries().get_mut(hash) {
            *entry = (Slot::Session(Arc::clone(value)), Instant::now() + ttl);
        }
    }

    async fn forget(&self, hash: &TokenHash) {
        let mut entries = self.entries();
        if matches!(entries.get(hash), Some((Slot::Session(_), _))) {
            entries.remove(hash);
        }
    }

    async fn fence(&self, hashes: &[TokenHash]) {
        let mut entries = self.entries();
        for hash in hashes {
            entries.insert(*hash, (Slot::Fenced, Instant::now() + FENCE_TTL));
        }
    }

    async fn announce_policies(&self) {
        self.policy_announcements.fetch_add(1, Ordering::Relaxed);
    }

    async fn ping(&self) -> bool {
        true
    }
}
