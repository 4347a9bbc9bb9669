//! Cross-cutting request concerns, each its own layer. The wrap order is written once,
//! in `routes::configure`.

pub mod api;
pub mod deadline;
mod request_guard;
pub mod request_log;
