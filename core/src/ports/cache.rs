//! The session cache as the use cases see it: both tiers (this instance's memory, and
//! the shared Redis or PostgreSQL cache) behind one interface that never fails (a cache
//! that cannot answer is a miss) and in which a revocation wins every race: a fence put
//! on a token stays until it expires, and no fill can replace it.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use crate::{cached::HeldSession, token::TokenHash};

/// Which tier answered a hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    /// This instance's own memory (`source="memory"` in the metrics).
    Local,
    /// Redis or the PostgreSQL cache.
    Shared,
}

pub trait SessionCache: Send + Sync + 'static {
    /// The cached session for `hash` and the tier that had it; `None` on a miss, behind
    /// a fence, and whenever the tiers cannot answer.
    fn get(
        &self,
        hash: &TokenHash,
    ) -> impl Future<Output = Option<(Arc<HeldSession>, Tier)>> + Send;

    /// Caches a session the store vouched for when it was read at `read_at`, for at most
    /// `ttl`, unless a tier holds anything for it (a fence wins).
    fn fill(
        &self,
        hash: &TokenHash,
        value: &Arc<HeldSession>,
        ttl: Duration,
        read_at: Instant,
    ) -> impl Future<Output = ()> + Send;

    /// Replaces a cached session (its `last_seen_at`); never resurrects one.
    fn refresh(
        &self,
        hash: &TokenHash,
        value: &Arc<HeldSession>,
        ttl: Duration,
    ) -> impl Future<Output = ()> + Send;

    /// Drops a cached session so the next request reads the store; leaves fences.
    fn forget(&self, hash: &TokenHash) -> impl Future<Output = ()> + Send;

    /// Fences these sessions (revoked, or their user changed) in every tier and on
    /// every instance: until the fences expire only the store answers for them.
    fn fence(&self, hashes: &[TokenHash]) -> impl Future<Output = ()> + Send;

    /// Tells every other instance that the role policies changed: they reload them.
    fn announce_policies(&self) -> impl Future<Output = ()> + Send;

    /// Whether the shared tier answers right now (readiness).
    fn ping(&self) -> impl Future<Output = bool> + Send;
}
