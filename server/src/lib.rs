//! Hallpass server: login sessions recorded in PostgreSQL, cached, and validated on
//! every request. `routes` parse and shape, `domain` (the `hallpass-core` crate over this
//! server's adapters) decides, `db`, `cache` and `throttle` store.

pub mod auth;
pub mod cache;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod geoip;
pub mod jobs;
pub mod metrics;
pub mod middleware;
pub mod redis_connections;
pub mod routes;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod throttle;
