//! Logging: `RUST_LOG` filters (default `info`); text for people, JSON for collectors.
//! Also the id of the request being served, so that answers built far from the request
//! (error bodies) can quote it.

use tracing_subscriber::{EnvFilter, fmt};
use uuid::Uuid;

use crate::config::LogFormat;

/// Installs the global subscriber; later calls are no-ops (tests call it per test).
pub fn init(format: LogFormat, writer: fn() -> Box<dyn std::io::Write>) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = fmt().with_env_filter(filter).with_writer(writer);
    let _already_set = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

/// The id of a request, returned as `x-request-id` and carried by its span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestId(pub Uuid);

impl RequestId {
    pub fn new() -> Self {
        Self(Uuid::new_v4())
    }

    /// Runs `serving` as the work of request `self`: [`current_request_id`] answers
    /// `self` inside it.
    pub async fn scope<F: Future>(self, serving: F) -> F::Output {
        CURRENT_REQUEST.scope(self, serving).await
    }
}

impl Default for RequestId {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

tokio::task_local! {
    static CURRENT_REQUEST: RequestId;
}

/// The id of the request being served, if called while serving one.
pub fn current_request_id() -> Option<RequestId> {
    CURRENT_REQUEST.try_with(|id| *id).ok()
}
