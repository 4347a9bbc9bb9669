//! [`Domain`]: what the use cases run against, one per application: the ports the server
//! (or a test) supplies, the session policy and the login throttle, and two small
//! memories of this instance's own (refreshes under way, refusals audited lately).

use std::sync::Arc;

use crate::{
    ports::{AttemptCounters, Locator, Metrics, SessionCache, Store},
    rules::SessionPolicy,
    sessions::{RecentRefusals, Touches},
    throttle::LoginThrottle,
};

/// The adapters a [`Domain`] is built of. The server names its own once (PostgreSQL,
/// the tiered cache, the shared counters, Prometheus, GeoIP); the tests name memory.
pub trait Ports: Send + Sync + 'static {
    type Store: Store;
    type Cache: SessionCache;
    type Counters: AttemptCounters;
    type Metrics: Metrics;
    type Locator: Locator;
}

pub struct Domain<P: Ports> {
    pub store: P::Store,
    /// Shared with the jobs that keep it (the invalidation channel, fence replay).
    pub cache: Arc<P::Cache>,
    pub policy: SessionPolicy,
    pub throttle: LoginThrottle<P::Counters>,
    pub metrics: P::Metrics,
    /// Where new sessions are, approximately (shared with the job that reloads it).
    pub locator: Arc<P::Locator>,
    pub(crate) touches: Touches,
    pub(crate) recent_refusals: RecentRefusals,
}

impl<P: Ports> Domain<P> {
    pub fn new(
        store: P::Store,
        cache: Arc<P::Cache>,
        policy: SessionPolicy,
        throttle: LoginThrottle<P::Counters>,
        metrics: P::Metrics,
        locator: Arc<P::Locator>,
    ) -> Self {
        Self {
            store,
            cache,
            policy,
            throttle,
            metrics,
            locator,
            touches: Touches::default(),
            recent_refusals: RecentRefusals::default(),
        }
    }
}
