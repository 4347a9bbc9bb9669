//! Cross-cutting request concerns, each its own layer. The wrap order is written once,
//! in `routes::configure`.

pub mod dead_cookie;
pub mod request_guard;
pub mod request_log;
