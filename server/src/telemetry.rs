//! Logging: `RUST_LOG` filters (default `info`); text for people, JSON for collectors.

use tracing_subscriber::{EnvFilter, fmt};

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
