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
    #[error("redis pool: {0}")]
    RedisPool(String),
    #[error("postgres cache: {0}")]
    Postgres(String),
    #[error("cached value is unreadable: {0}")]
    Codec(#[from] serde_json::Error),
    #[error("cache did not answer in time")]
    Timeout,
}

/// A cache backend. Keys arrive complete (prefix included). Every operation must give up
/// quickly when the backend does not answer: Redis through its client's response timeout
/// (500 ms) and a 250 ms pool checkout, PostgreSQL through the pool timeout and the
/// statement timeout; memory never waits.
#[async_trait::async_trait]
pub trait SessionCache: Send + Sync {
    /// Name for logs: `Redis`, `PostgreSQL`, `in-memory`.
    fn name(&self) -> &'static str;
    async fn get(&self, key: &str) -> Result<Option<CachedSession>, CacheError>;
    async fn put(&self, key: &str, value: &CachedSession, ttl: Duration) -> Result<(), CacheError>;
    async fn delete_many(&self, keys: &[String]) -> Result<(), CacheError>;
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

/// The chosen backend behind a deadline, a circuit breaker and an invalidation replay log.
pub struct Cache {
    backend: Box<dyn SessionCache>,
    prefix: String,
    epoch: Instant,
    /// Milliseconds since `epoch` before which the backend is not tried; 0 = healthy.
    skip_until_ms: AtomicU64,
    degraded: AtomicBool,
    /// Keys whose deletion failed: treated as misses and deleted again once the backend answers.
    undelivered: Mutex<HashSet<String>>,
}

impl Cache {
    pub fn new(backend: Box<dyn SessionCache>, prefix: String) -> Self {
        Self {
            backend,
            prefix,
            epoch: Instant::now(),
            skip_until_ms: AtomicU64::new(0),
            degraded: AtomicBool::new(false),
            undelivered: Mutex::new(HashSet::new()),
        }
    }

    pub fn backend_name(&self) -> &'static str {
        self.backend.name()
    }

    /// The cached session for `hash`; `None` on a miss and whenever the backend is down.
    pub async fn get(&self, hash: &TokenHash) -> Option<CachedSession> {
        let key = key(&self.prefix, &hash.hex());
        if !self.available().await || self.is_undelivered(&key) {
            return None;
        }
        self.guard(self.backend.get(&key)).await.flatten()
    }

    /// Caches `value` for `ttl`; a failure only costs a later database read.
    pub async fn put(&self, hash: &TokenHash, value: &CachedSession, ttl: Duration) {
        if ttl.is_zero() || !self.available().await {
            return;
        }
        let key = key(&self.prefix, &hash.hex());
        self.guard(self.backend.put(&key, value, ttl)).await;
    }

    /// Forgets these sessions. What cannot be delivered now is remembered, kept out of
    /// reads, and delivered when the backend is back.
    /// Takes stored hashes (`user_sessions.token_hash`).
    pub async fn invalidate<'a>(&self, hashes_hex: impl IntoIterator<Item = &'a str>) {
        let keys: Vec<String> = hashes_hex
            .into_iter()
            .map(|hash| key(&self.prefix, hash))
            .collect();
        if keys.is_empty() {
            return;
        }
        let delivered =
            self.available().await && self.guard(self.backend.delete_many(&keys)).await.is_some();
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
            // An unreadable entry (e.g. written by another release) is a miss; the
            // database answers and the entry is overwritten. The backend itself is fine.
            Err(CacheError::Codec(error)) => {
                tracing::debug!("unreadable cache entry treated as a miss: {error}");
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
    /// replays undelivered invalidations before anyone reads again.
    async fn available(&self) -> bool {
        if self.now_ms() < self.skip_until_ms.load(Ordering::Relaxed) {
            return false;
        }
        if !self.degraded.load(Ordering::Relaxed) {
            return true;
        }
        let pending: Vec<String> = self.lock_undelivered().iter().cloned().collect();
        let replayed = pending.is_empty()
            || self
                .guard(self.backend.delete_many(&pending))
                .await
                .is_some();
        if !replayed {
            return false;
        }
        let mut undelivered = self.lock_undelivered();
        for key in &pending {
            undelivered.remove(key);
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

    fn lock_undelivered(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.undelivered
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }
}
