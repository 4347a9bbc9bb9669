//! The rules of Hallpass, free of HTTP: how sessions are created, validated, ensured and
//! revoked, how users come and go, and what the audit trail records.

pub mod audit;
pub mod pagination;
pub mod sessions;
pub mod user_agent;
pub mod users;
