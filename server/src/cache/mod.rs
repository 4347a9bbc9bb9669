//! The session cache: validated sessions keyed by `session:{token hash}`.
//!
//! Three backends sit behind [`SessionCache`]; [`Cache`] wraps the chosen one with the
//! rules that keep it safe to lose: a failing backend is skipped for a while instead of
//! being retried on every request, and invalidations that could not be delivered are
//! replayed before the next read is trusted. Each backend bounds its own operations (see
//! [`SessionCache`]), so a dead cache costs a short wait once, then nothing. The database
//! stays the system of record.

mod codec;
pub mod memory;
pub mod postgres;
pub mod redis;

use std::{
    collections::HashSet,
    sync::{
        Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use hallpass_shared::{SessionView, UserView};
use serde::{Deserialize, Serialize};

use crate::crypto::token::TokenHash;

/// What a cache hit answers with: enough to serve `GET /api/auth/session` without the
/// database. Never holds the token. Stored in the compact form of [`codec`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "codec::StoredSession", try_from = "codec::StoredSession")]
pub struct CachedSession {
    pub user: UserView,
    pub session: SessionView,
}

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("redis: {0}")]
    Redis(#[from] ::redis::RedisError),
    #[error("postgres cache: {0}")]
    Postgres(String),
    #[error("cached value is unreadable: {0}")]
    Codec(#[from] serde_json::Error),
    #[error("cache did not answer in time")]
    Timeout,
}

/// What a cache key holds.
#[derive(Debug, Clone, PartialEq)]
#[expect(
    clippy::large_enum_variant,
    reason = "read once per request and unpacked at once; boxing would allocate on every hit"
)]
pub enum Slot {
    /// A session the database vouched for.
    Session(CachedSession),
    /// A fence: the session was revoked or changed, and only the database may answer for
    /// it until the fence expires. No fill can replace a fence, so a request that read
    /// the row before a revocation committed cannot cache it afterwards.
    Fenced,
}

/// A cache backend. Keys arrive complete (prefix included). Every write is conditional
/// in the way its name says, atomically in the backend, so that a revocation wins every
/// race with a concurrent fill or refresh. Every operation must give up quickly when the
/// backend does not answer: Redis through its client's response timeout (500 ms) and a
/// 250 ms pool checkout, PostgreSQL through the pool timeout and the statement timeout;
/// memory never waits.
#[async_trait::async_trait]
pub trait SessionCache: Send + Sync {
    /// Name for logs: `Redis`, `PostgreSQL`, `in-memory`.
    fn name(&self) -> &'static str;
    async fn get(&self, key: &str) -> Result<Option<Slot>, CacheError>;
    /// Stores `value` for `ttl` only if the key holds nothing (no session, no fence).
    async fn fill(&self, key: &str, value: &CachedSession, ttl: Duration)
    -> Result<(), CacheError>;
    /// Replaces the session the key holds with `value`; does nothing to a fence or an
    /// empty key.
    async fn refresh(
        &self,
        key: &str,
        value: &CachedSession,
        ttl: Duration,
    ) -> Result<(), CacheError>;
    /// Removes the session the key holds; never removes a fence.
    async fn forget(&self, key: &str) -> Result<(), CacheError>;
    /// Puts a fence on every key for `ttl`, whatever they held.
    async fn fence(&self, keys: &[String], ttl: Duration) -> Result<(), CacheError>;
    async fn ping(&self) -> Result<(), CacheError>;
}

/// The cache key of a token hash (lower-case hex), as operators look it up: `session:{hex}`.
pub fn key(prefix: &str, hash_hex: &str) -> String {
    format!("{prefix}session:{hash_hex}")
}

/// How long a readiness ping may take.
const PING_DEADLINE: Duration = Duration::from_millis(250);
/// How long a failing backend is left alone before it is tried again.
const BACKOFF: Duration = Duration::from_secs(5);

/// The chosen backend behind a circuit breaker and a replay log of undelivered fences.
pub struct Cache {
    backend: Box<dyn SessionCache>,
    prefix: String,
    /// How long a fence stands: at least as long as any entry it must outlive.
    fence_ttl: Duration,
    epoch: Instant,
    /// Milliseconds since `epoch` before which the backend is not tried; 0 = healthy.
    skip_until_ms: AtomicU64,
    degraded: AtomicBool,
    /// Keys whose fence failed: treated as misses and fenced once the backend answers.
    undelivered: Mutex<HashSet<String>>,
}

impl Cache {
    /// `entry_ttl` is the longest TTL entries are cached with; fences stand a second
    /// longer, so they outlive any entry a racing fill could write.
    pub fn new(backend: Box<dyn SessionCache>, prefix: String, entry_ttl: Duration) -> Self {
        Self {
            backend,
            prefix,
            fence_ttl: entry_ttl + Duration::from_secs(1),
            epoch: Instant::now(),
            skip_until_ms: AtomicU64::new(0),
            degraded: AtomicBool::new(false),
            undelivered: Mutex::new(HashSet::new()),
        }
    }

    pub fn backend_name(&self) -> &'static str {
        self.backend.name()
    }

    /// Whether the backend failed lately and validation is falling back to the database.
    pub fn is_degraded(&self) -> bool {
        self.degraded.load(Ordering::Relaxed)
    }

    /// The cached session for `hash`; `None` on a miss, behind a fence, and whenever the
    /// backend is down.
    pub async fn get(&self, hash: &TokenHash) -> Option<CachedSession> {
        let key = key(&self.prefix, &hash.hex());
        if !self.available().await || self.is_undelivered(&key) {
            return None;
        }
        let slot = match self.backend.get(&key).await {
            // An unreadable entry (e.g. written by another release) is a miss; dropping it
            // lets the database's answer take its place at the next fill.
            Err(CacheError::Codec(error)) => {
                tracing::debug!("unreadable cache entry dropped: {error}");
                self.guard(self.backend.forget(&key)).await;
                return None;
            }
            answer => self.guard(std::future::ready(answer)).await.flatten()?,
        };
        match slot {
            Slot::Session(session) => Some(session),
            Slot::Fenced => None,
        }
    }

    /// Caches a session the database just vouched for, unless the key holds anything
    /// (a fence from a revocation that committed meanwhile wins). A failure only costs a
    /// later database read.
    pub async fn fill(&self, hash: &TokenHash, value: &CachedSession, ttl: Duration) {
        if ttl.is_zero() || !self.available().await {
            return;
        }
        let key = key(&self.prefix, &hash.hex());
        self.guard(self.backend.fill(&key, value, ttl)).await;
    }

    /// Updates a cached session in place (its `last_seen_at`); never resurrects one.
    pub async fn refresh(&self, hash: &TokenHash, value: &CachedSession, ttl: Duration) {
        if ttl.is_zero() || !self.available().await {
            return;
        }
        let key = key(&self.prefix, &hash.hex());
        self.guard(self.backend.refresh(&key, value, ttl)).await;
    }

    /// Drops a cached session so the next request reads the database; leaves fences.
    /// Takes a stored hash (`user_sessions.token_hash`).
    pub async fn forget(&self, hash_hex: &str) {
        if !self.available().await {
            return;
        }
        let key = key(&self.prefix, hash_hex);
        self.guard(self.backend.forget(&key)).await;
    }

    /// Fences these sessions (revoked, or their user changed): until the fence expires
    /// only the database answers for them, and no concurrent fill can cache them again.
    /// What cannot be delivered now is remembered, kept out of reads, and delivered when
    /// the backend is back. Takes stored hashes (`user_sessions.token_hash`).
    pub async fn fence<'a>(&self, hashes_hex: impl IntoIterator<Item = &'a str>) {
        let keys: Vec<String> = hashes_hex
            .into_iter()
            .map(|hash| key(&self.prefix, hash))
            .collect();
        if keys.is_empty() {
            return;
        }
        let delivered = self.available().await
            && self
                .guard(self.backend.fence(&keys, self.fence_ttl))
                .await
                .is_some();
        if !delivered {
            self.lock_undelivered().extend(keys);
        }
    }

    /// Readiness: does the backend answer right now (ignoring the backoff)?
    pub async fn ping(&self) -> Result<(), CacheError> {
        tokio::time::timeout(PING_DEADLINE, self.backend.ping())
            .await
            .map_err(|_| CacheError::Timeout)?
    }

    /// Runs `operation`; failures open the breaker.
    async fn guard<T>(&self, operation: impl Future<Output = Result<T, CacheError>>) -> Option<T> {
        match operation.await {
            Ok(value) => Some(value),
            // An unreadable value is the entry's fault, not the backend's.
            Err(CacheError::Codec(error)) => {
                tracing::debug!("cache value unreadable: {error}");
                None
            }
            Err(error) => {
                self.trip(&error);
                None
            }
        }
    }

    fn trip(&self, error: &CacheError) {
        let until = self.now_ms() + BACKOFF.as_millis() as u64;
        self.skip_until_ms.store(until, Ordering::Relaxed);
        if !self.degraded.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                cache.backend = self.backend.name(),
                "session cache failing ({error}); validating against PostgreSQL for now"
            );
        }
    }

    /// `false` while backing off. After a failure, the first caller past the backoff
    /// replays undelivered fences before anyone reads again.
    async fn available(&self) -> bool {
        if self.now_ms() < self.skip_until_ms.load(Ordering::Relaxed) {
            return false;
        }
        !self.degraded.load(Ordering::Relaxed) || self.replay_undelivered().await
    }

    /// Delivers the fences the backend missed while it was down, without waiting for the
    /// backoff to end, so that a revocation reaches the other instances as soon as the
    /// backend is back, even when this instance gets no request (the
    /// [`fence replay job`](crate::jobs::fence_replay) calls it every 200 ms).
    pub async fn deliver_undelivered(&self) {
        if !self.lock_undelivered().is_empty() {
            self.replay_undelivered().await;
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
        self.skip_until_ms.store(0, Ordering::Relaxed);
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

    fn lock_undelivered(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.undelivered
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }
}
