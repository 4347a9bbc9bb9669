//! What the use cases need from the world, as traits: the [`store`] (the system of
//! record, with transactions), the [`cache`] (its two tiers, as one), the login attempt
//! [`counters`], the [`metrics`] and the [`locator`]. The server implements them over
//! PostgreSQL, Redis, Prometheus and a GeoIP database; the unit tests over memory.
//!
//! Methods return `impl Future + Send` (not boxed): a cache hit, the hot path, costs no
//! allocation, and the server's domain type is built of concrete adapters.

pub mod cache;
pub mod counters;
pub mod locator;
pub mod metrics;
pub mod store;

pub use cache::{SessionCache, Tier};
pub use counters::{AttemptCounters, Backoff, Charge, MAX_DOUBLINGS, Verdict};
pub use locator::Locator;
pub use metrics::{LoginOutcome, Metrics, Source, VALID};
pub use store::{Queries, Store};
