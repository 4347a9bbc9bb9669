//! Logging: `RUST_LOG` filters (default `info`); text for people, JSON for collectors,
//! written off the request workers by [`init_off_workers`]. Also the id of the request
//! being served, so that answers built far from the request (error bodies) can quote it.

use std::io::{BufWriter, IsTerminal as _};

use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::{EnvFilter, fmt, fmt::MakeWriter};
use uuid::Uuid;

use crate::config::LogFormat;

/// Log lines waiting for the writer thread before a worker waits for room.
const QUEUED_LINES: usize = 64 * 1024;
/// The writer thread's buffer: written out whenever the queue runs dry, so lines wait
/// only while more are coming.
const WRITE_BUFFER: usize = 64 * 1024;

/// Installs the global subscriber writing to stderr from a thread of its own: a worker
/// only formats its line and queues it, and the writer thread writes them in batches
/// (one `write` per line on an unbuffered stderr costs a system call per request).
/// Colours only on a terminal.
/// Lines are never dropped: when the queue is full, workers wait. Keep the guard until
/// the process ends; dropping it writes out what is queued.
pub fn init_off_workers(format: LogFormat) -> WorkerGuard {
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(false)
        .buffered_lines_limit(QUEUED_LINES)
        .thread_name("hallpass-log")
        .finish(BufWriter::with_capacity(WRITE_BUFFER, std::io::stderr()));
    init(format, writer);
    guard
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
