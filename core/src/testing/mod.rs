//! What the unit tests run the use cases against: the ports in memory
//! ([`MemoryStore`], [`MemoryCache`], counted metrics, a locator that places nothing)
//! and fixtures. The store keeps the semantics the real one guarantees (transactions
//! that commit or roll back whole, a token recorded once, tombstones, locks taken in
//! order) so that what a use case relies on is what it gets.

mod cache;
mod fixtures;
mod store;

pub use cache::MemoryCache;
pub use fixtures::*;
pub use store::MemoryStore;

use std::{
    net::IpAddr,
    sync::{Arc, Mutex},
};

use hallpass_shared::Location;

use crate::{
    Domain, Ports,
    ports::{Locator, LoginOutcome, Metrics, Source},
    throttle::memory::MemoryAttempts,
};

/// The memory ports.
pub struct InMemory;

impl Ports for InMemory {
    type Store = MemoryStore;
    type Cache = MemoryCache;
    type Counters = MemoryAttempts;
    type Metrics = CountedMetrics;
    type Locator = NoWhere;
}

pub type TestDomain = Domain<InMemory>;

/// Every metric a use case counted, as text (`validation valid memory`).
#[derive(Default, Clone)]
pub struct CountedMetrics(pub Arc<Mutex<Vec<String>>>);

impl CountedMetrics {
    pub fn count(&self, line: &str) -> usize {
        let lines = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        lines.iter().filter(|counted| *counted == line).count()
    }

    fn push(&self, line: String) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(line);
    }
}

impl Metrics for CountedMetrics {
    fn validation(&self, outcome: &'static str, source: Source) {
        self.push(format!("validation {outcome} {}", source.label()));
    }

    fn login(&self, outcome: LoginOutcome) {
        self.push(format!("login {outcome:?}"));
    }

    fn revoked(&self, reason: &'static str) {
        self.push(format!("revoked {reason}"));
    }
}

/// Places nothing, like a server without `GEOIP_DB`.
pub struct NoWhere;

impl Locator for NoWhere {
    fn locate(&self, _: IpAddr) -> Option<Location> {
        None
    }
}
