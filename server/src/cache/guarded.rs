//! The chosen backend behind a circuit breaker and a replay log of undelivered fences: a
//! failing backend is skipped instead of being retried on every request, and fences that
//! could not be delivered are kept out of reads. No request is the one to find out
//! whether it is back: a probe (a ping, every [`PROBE_EVERY`] from a background job)
//! replays the undelivered fences and closes the breaker as soon as it answers, so a
//! connection reset costs a fraction of a second, not a fixed back-off. When another
//! server takes over (a Redis failover), the fences of the last seconds are delivered
//! again there first. Entries are tagged on the way in and checked on the way out
//! ([`EntrySeal`]): a forged one is a miss, dropped, counted and reported.

use std::{
    collections::{HashSet, VecDeque},
    sync::{
        Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use chrono::Utc;

use super::{
    CacheError, CachedSession, SharedBackend, Slot,
    codec::{EntrySeal, Unsealed},
};

/// How long a readiness ping (or a probe) may take.
const PING_DEADLINE: Duration = Duration::from_millis(250);
/// How often the probe job asks a failing backend whether it is back.
pub const PROBE_EVERY: Duration = Duration::from_millis(100);
/// How long delivered fences are remembered, to be delivered again should another
/// server take over (a Redis failover loses what the old master had not passed on).
const RECENT_FENCES_FOR: Duration = Duration::from_secs(10);

/// A backend behind its breaker. Takes complete keys ([`super::key`]).
pub struct Guarded {
    backend: Box<dyn SharedBackend>,
    seal: EntrySeal,
    /// Entries refused for a tag that did not match, since start.
    forged: AtomicU64,
    /// How long a fence stands: at least as long as any entry it must outlive.
    fence_ttl: Duration,
    /// The breaker: open (the backend is left alone) from a failure until a probe
    /// answers.
    degraded: AtomicBool,
    /// Keys whose fence failed: treated as misses and fenced once the backend answers.
    undelivered: Mutex<HashSet<String>>,
    /// The backend's server, as [`SharedBackend::generation`] numbers it.
    generation: AtomicU64,
    /// Fences delivered lately, and when.
    recent: Mutex<VecDeque<(Instant, Vec<String>)>>,
}

impl Guarded {
    /// `entry_ttl` is the longest TTL entries are cached with; fences stand a second
    /// longer, so they outlive any entry a racing fill could write.
    pub fn new(backend: Box<dyn SharedBackend>, seal: EntrySeal, entry_ttl: Duration) -> Self {
        Self {
            seal,
            forged: AtomicU64::new(0),
            fence_ttl: entry_ttl + Duration::from_secs(1),
            degraded: AtomicBool::new(false),
            undelivered: Mutex::new(HashSet::new()),
            generation: AtomicU64::new(backend.generation()),
            recent: Mutex::new(VecDeque::new()),
            backend,
        }
    }

    pub fn backend_name(&self) -> &'static str {
        self.backend.name()
    }

    /// Whether the backend failed lately and validation is falling back to the database.
    pub fn is_degraded(&self) -> bool {
        self.degraded.load(Ordering::Relaxed)
    }

    /// How many entries were refused for a tag that did not match, since start.
    pub fn forged_entries(&self) -> u64 {
        self.forged.load(Ordering::Relaxed)
    }

    /// The cached session under `key`; `None` on a miss, behind a fence, and whenever the
    /// backend is down. An entry that fails its check is a miss too, and is dropped so
    /// that the database's answer takes its place at the next fill.
    pub async fn get(&self, key: &str) -> Option<CachedSession> {
        if !self.available().await || self.is_undelivered(key) {
            return None;
        }
        let Slot::Entry(entry) = self.guard(self.backend.get(key)).await.flatten()? else {
            return None;
        };
        match self.seal.open(key, &entry, Utc::now()) {
            Ok(session) => return Some(session),
            Err(Unsealed::Forged) => self.report_forged(),
            Err(Unsealed::Stale(why)) => tracing::debug!("stale cache entry dropped: {why}"),
        }
        self.guard(self.backend.forget(key)).await;
        None
    }

    /// Counts a forged entry; the first one since start is logged (the key is not: it
    /// names a token hash).
    fn report_forged(&self) {
        if self.forged.fetch_add(1, Ordering::Relaxed) == 0 {
            tracing::warn!(
                cache.backend = self.backend.name(),
                "a session cache entry failed its integrity check and was ignored: something \
                 other than Hallpass writes to the cache (see hallpass_cache_forged_entries_total)"
            );
        }
    }

    /// Caches a session the database just vouched for, unless the key holds anything
    /// (a fence from a revocation that committed meanwhile wins). A failure only costs a
    /// later database read.
    pub async fn fill(&self, key: &str, value: &CachedSession, ttl: Duration) {
        if ttl.is_zero() || !self.available().await {
            return;
        }
        let Some(entry) = self.entry(key, value, ttl) else {
            return;
        };
        self.guard(self.backend.fill(key, &entry, ttl)).await;
    }

    /// Updates a cached session in place (its `last_seen_at`); never resurrects one.
    pub async fn refresh(&self, key: &str, value: &CachedSession, ttl: Duration) {
        if ttl.is_zero() || !self.available().await {
            return;
        }
        let Some(entry) = self.entry(key, value, ttl) else {
            return;
        };
        self.guard(self.backend.refresh(key, &entry, ttl)).await;
    }

    /// `value` tagged for `key`, trusted for `ttl` (as long as the backend keeps it);
    /// `None` (never cached) in the unlikely case it does not serialise.
    fn entry(&self, key: &str, value: &CachedSession, ttl: Duration) -> Option<String> {
        let until = chrono::TimeDelta::from_std(ttl)
            .ok()
            .and_then(|ttl| Utc::now().checked_add_signed(ttl))
            .unwrap_or(chrono::DateTime::<Utc>::MAX_UTC);
        self.seal
            .seal(key, value, until)
            .inspect_err(|error| tracing::error!("a session could not be cached: {error}"))
            .ok()
    }

    /// Drops a cached session so the next request reads the database; leaves fences.
    pub async fn forget(&self, key: &str) {
        if !self.available().await {
            return;
        }
        self.guard(self.backend.forget(key)).await;
    }

    /// Fences these sessions (revoked, or their user changed): until the fence expires
    /// only the database answers for them, and no concurrent fill can cache them again.
    /// What cannot be delivered now is remembered, kept out of reads, and delivered when
    /// the backend is back.
    pub async fn fence(&self, keys: Vec<String>) {
        if keys.is_empty() {
            return;
        }
        let delivered = self.available().await
            && self
                .guard(self.backend.fence(&keys, self.fence_ttl))
                .await
                .is_some();
        if delivered {
            self.remember_delivered(keys);
        } else {
            self.lock_undelivered().extend(keys);
        }
    }

    /// Keeps delivered fences for [`RECENT_FENCES_FOR`], forgetting older ones.
    fn remember_delivered(&self, keys: Vec<String>) {
        let now = Instant::now();
        let mut recent = self.lock_recent();
        while recent
            .front()
            .is_some_and(|(at, _)| now.duration_since(*at) > RECENT_FENCES_FOR)
        {
            recent.pop_front();
        }
        recent.push_back((now, keys));
    }

    /// Another server took over (a failover): the fences of the last seconds may not
    /// have reached it, so they are delivered again, by the probe, before anyone reads
    /// it (the breaker opens until then).
    fn notice_new_server(&self) {
        let now = self.backend.generation();
        let before = self.generation.swap(now, Ordering::Relaxed);
        if before == now {
            return;
        }
        let recent: Vec<String> = self
            .lock_recent()
            .drain(..)
            .flat_map(|(_, keys)| keys)
            .collect();
        self.lock_undelivered().extend(recent);
        // Generation 0 is no server yet: the first one found is no move.
        if !self.degraded.swap(true, Ordering::Relaxed) && before != 0 {
            tracing::info!(
                cache.backend = self.backend.name(),
                "the session cache moved to another server; fencing again what was revoked lately"
            );
        }
    }

    /// Readiness, and the probe: does the backend answer right now (breaker or not)?
    pub async fn ping(&self) -> Result<(), CacheError> {
        tokio::time::timeout(PING_DEADLINE, self.backend.ping())
            .await
            .map_err(|_| CacheError::Timeout)?
    }

    /// Runs `operation`; failures open the breaker.
    async fn guard<T>(&self, operation: impl Future<Output = Result<T, CacheError>>) -> Option<T> {
        match operation.await {
            Ok(value) => Some(value),
            Err(error) => {
                self.trip(&error);
                None
            }
        }
    }

    fn trip(&self, error: &CacheError) {
        if !self.degraded.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                cache.backend = self.backend.name(),
                "session cache failing ({error}); validating against PostgreSQL for now"
            );
        }
    }

    /// `false` while the breaker is open.
    async fn available(&self) -> bool {
        self.notice_new_server();
        !self.degraded.load(Ordering::Relaxed)
    }

    /// While the breaker is open: asks the backend whether it answers (a ping), and if it
    /// does, delivers the fences it missed, then closes the breaker, all before any
    /// request reads it again; so a revocation reaches the other instances as soon as the
    /// backend is back, even when this instance gets no request. The
    /// [`probe job`](crate::jobs::cache_probe) calls it every [`PROBE_EVERY`].
    pub async fn probe(&self) {
        self.notice_new_server();
        if !self.degraded.load(Ordering::Relaxed) {
            return;
        }
        match self.ping().await {
            Ok(()) => {
                self.replay_undelivered().await;
            }
            Err(error) => tracing::debug!("the session cache still fails: {error}"),
        }
    }

    /// Fences every undelivered key; on success the breaker closes. `false` if the
    /// backend still fails.
    async fn replay_undelivered(&self) -> bool {
        let pending: Vec<String> = self.lock_undelivered().iter().cloned().collect();
        let replayed = pending.is_empty()
            || self
                .guard(self.backend.fence(&pending, self.fence_ttl))
                .await
                .is_some();
        if !replayed {
            return false;
        }
        let mut undelivered = self.lock_undelivered();
        for key in &pending {
            undelivered.remove(key);
        }
        drop(undelivered);
        if !pending.is_empty() {
            self.remember_delivered(pending);
        }
        if self.degraded.swap(false, Ordering::Relaxed) {
            tracing::info!(
                cache.backend = self.backend.name(),
                "session cache recovered"
            );
        }
        true
    }

    fn is_undelivered(&self, key: &str) -> bool {
        let undelivered = self.lock_undelivered();
        !undelivered.is_empty() && undelivered.contains(key)
    }

    fn lock_recent(&self) -> std::sync::MutexGuard<'_, VecDeque<(Instant, Vec<String>)>> {
        self.recent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn lock_undelivered(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.undelivered
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
