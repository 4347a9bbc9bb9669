//! Hallpass's domain: what a session, a user and an audit event are, the rules a session
//! lives by, and the use cases (validate, log in, ensure, revoke, answer "was this you?",
//! administer users, read the trail), written against ports: the session store, the
//! session cache, the login counters, the metrics and the locator. The server supplies
//! PostgreSQL, Redis and Prometheus behind those ports; the unit tests supply memory.
//!
//! Nothing here knows HTTP, SQL or a cache client. Time comes in as a parameter (`now`)
//! of every use case, so the rules are tested at their boundaries without a clock.

pub mod audit;
pub mod cached;
pub mod claim;
pub mod client;
mod domain;
pub mod error;
pub mod health;
pub mod model;
pub mod pagination;
pub mod password;
pub mod policies;
pub mod ports;
pub mod rules;
pub mod sessions;
pub mod text;
pub mod throttle;
pub mod token;
pub mod user_agent;
pub mod users;

#[cfg(test)]
mod testing;

pub use claim::{Credential, SessionClaim};
pub use client::Client;
pub use domain::{Domain, Ports};
pub use error::{Error, Result};
pub use hallpass_shared::{Role, SessionId, UserId};
pub use rules::{Lifetime, Rejection, SessionPolicy};
pub use token::{SessionToken, TokenHash};
