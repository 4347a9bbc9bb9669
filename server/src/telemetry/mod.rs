//! Logging: `RUST_LOG` filters (default `info`); text for people, JSON for collectors
//! ([`line`]), written off the request workers by [`init_off_workers`]. Also the
//! context of the request being served ([`RequestContext`]): its id, and the user and
//! session once known, which every line written while serving it carries and answers
//! built far from the request (error bodies) can quote.

mod line;
mod writer;

use std::{cell::Cell, io::IsTerminal as _};

use tracing_subscriber::{
    EnvFilter, fmt,
    fmt::{MakeWriter, format::JsonFields},
};
use uuid::Uuid;

use crate::config::LogFormat;

pub use writer::WriterGuard;

/// Installs the global subscriber writing to stderr from a thread of its own
/// ([`writer`]): a worker only formats its line and copies it into a buffer the writer
/// thread writes out in batches. Colours only on a terminal. Lines are never dropped.
/// Keep the guard until the process ends; dropping it writes out what waits.
pub fn init_off_workers(format: LogFormat) -> std::io::Result<WriterGuard> {
    let (lines, guard) = writer::off_workers(std::io::stderr())?;
    init(format, lines);
    Ok(guard)
}

/// Installs the global subscriber; later calls are no-ops (tests call it per test).
pub fn init<W>(format: LogFormat, writer: W)
where
    W: for<'writer> MakeWriter<'writer> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(writer);
    let _already_set = match format {
        LogFormat::Text => builder.event_format(line::Text).try_init(),
        LogFormat::Json => builder
            .fmt_fields(JsonFields::new())
            .event_format(line::Json)
            .try_init(),
    };
}

/// The id of a request, returned as `x-request-id` and carried by its log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestId(pub Uuid);

impl RequestId {
    pub fn new() -> Self {
        Self(Uuid::new_v4())
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

/// What every log line written while serving a request carries: the request's id, and
/// the user and session once the session is known.
///
/// A task-local rather than a tracing span: a span per request (created, its fields
/// formatted, recorded twice, closed) cost more than the whole line it decorated.
pub struct RequestContext {
    id: RequestId,
    session: Cell<Option<(Uuid, Uuid)>>,
}

tokio::task_local! {
    static CURRENT_REQUEST: RequestContext;
}

impl RequestContext {
    pub fn new(id: RequestId) -> Self {
        Self {
            id,
            session: Cell::new(None),
        }
    }

    /// Runs `serving` as the work of this request: its log lines carry this context,
    /// and [`current_request_id`] answers its id.
    pub async fn scope<F: Future>(self, serving: F) -> F::Output {
        CURRENT_REQUEST.scope(self, serving).await
    }

    /// The request's id, and its user and session ids once known.
    fn read(&self) -> (RequestId, Option<(Uuid, Uuid)>) {
        (self.id, self.session.get())
    }
}

/// The id of the request being served, if called while serving one.
pub fn current_request_id() -> Option<RequestId> {
    CURRENT_REQUEST.try_with(|context| context.id).ok()
}

/// Records the user and session of the request being served (no-op outside one).
pub fn record_session(user: Uuid, session: Uuid) {
    let _outside_a_request =
        CURRENT_REQUEST.try_with(|context| context.session.set(Some((user, session))));
}

/// `work` carrying the context of the request being served, for a task spawned to do
/// part of it (a task-local does not follow `tokio::spawn` by itself).
pub fn in_current_request<F: Future>(work: F) -> impl Future<Output = F::Output> {
    let context = CURRENT_REQUEST.try_with(RequestContext::read).ok();
    async move {
        match context {
            Some((id, session)) => {
                let context = RequestContext {
                    id,
                    session: Cell::new(session),
                };
                context.scope(work).await
            }
            None => work.await,
        }
    }
}

/// What the current request's lines carry, if a request is being served.
fn current_context() -> Option<(RequestId, Option<(Uuid, Uuid)>)> {
    CURRENT_REQUEST.try_with(RequestContext::read).ok()
}
