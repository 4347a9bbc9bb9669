//! The domain this server runs: `hallpass-core`'s use cases over the server's adapters
//! (PostgreSQL, the two-tier session cache, the shared login counters, Prometheus and
//! GeoIP). The edge imports the use cases from here.

pub use hallpass_core::{
    Client, Credential, Error, Rejection, Result, SessionClaim, SessionPolicy, audit, health,
    model, pagination, policies, sessions, throttle, user_agent, users,
};

use crate::{cache::Cache, db::PgStore, geoip::GeoIp, metrics::Metrics, throttle::GuardedCounters};

/// The server's adapters behind the domain's ports.
pub struct Adapters;

impl hallpass_core::Ports for Adapters {
    type Store = PgStore;
    type Cache = Cache;
    type Counters = GuardedCounters;
    type Metrics = Metrics;
    type Locator = GeoIp;
}

pub type Domain = hallpass_core::Domain<Adapters>;
