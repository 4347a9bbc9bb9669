//! The rules of Hallpass, free of HTTP: how sessions are opened, validated, ensured and
//! revoked, how users come and go, how failed logins are throttled, and what the audit
//! trail records. Functions here take a [`Domain`] (storage, cache, policy, counters), a
//! plain [`Client`] and the time, and answer with [`Error`]; the HTTP edge
//! (`crate::routes`, `crate::auth`) turns those into responses. Storage is `crate::db`
//! and `crate::cache`; nothing here imports the web framework.

pub mod audit;
mod client;
mod error;
pub mod health;
pub mod pagination;
pub mod sessions;
pub mod throttle;
pub mod user_agent;
pub mod users;

use std::sync::Arc;

pub use client::Client;
pub use error::{Error, Result};

use crate::{cache::Cache, db::DbPool, geoip::GeoIp, metrics::Metrics};
use sessions::{RecentRefusals, SessionPolicy, Touches};
use throttle::LoginThrottle;

/// What the rules run against: the database (the system of record), the session cache,
/// the session policy, the login throttle and the metrics. One per application.
pub struct Domain {
    pub db: DbPool,
    pub cache: Arc<Cache>,
    pub policy: SessionPolicy,
    pub throttle: LoginThrottle,
    pub metrics: Metrics,
    /// Where new sessions are, approximately (nothing without `GEOIP_DB`).
    pub geoip: Arc<GeoIp>,
    touches: Touches,
    recent_refusals: RecentRefusals,
}

impl Domain {
    pub fn new(
        db: DbPool,
        cache: Arc<Cache>,
        policy: SessionPolicy,
        throttle: LoginThrottle,
        metrics: Metrics,
        geoip: Arc<GeoIp>,
    ) -> Self {
        Self {
            db,
            cache,
            policy,
            throttle,
            metrics,
            geoip,
            touches: Touches::default(),
            recent_refusals: RecentRefusals::default(),
        }
    }
}
