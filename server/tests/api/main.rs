//! Integration tests: one binary, real PostgreSQL (a fresh database per test, cloned
//! from a migrated template) and the real Redis, each persona with its own cookie jar.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod support;

mod admin;
mod auth;
mod bad_input;
mod cache_integrity;
mod cli;
mod conformance;
mod csrf;
mod database_faults;
mod ensure;
mod faults;
mod forward_auth;
mod hardening;
mod instances;
mod keys;
mod load_balancer;
mod locations;
mod login_defence;
mod logs;
mod metrics;
mod new_devices;
mod policies;
mod probes;
mod query_plans;
mod races;
mod reauth;
mod schema;
mod secrecy;
mod sentinel;
mod sessions;
mod spa;
mod tokens;
mod verify;
