//! Re-reading the GeoIP database on SIGHUP, so a newer release of it (they are published
//! weekly or monthly) is picked up without a restart.

use std::sync::Arc;

use tokio::signal::unix::{SignalKind, signal};

use crate::geoip::GeoIp;

/// Listens for SIGHUP for as long as the process runs. Without a database, nothing is
/// installed and SIGHUP keeps its default meaning.
pub fn spawn(geoip: Arc<GeoIp>) -> std::io::Result<()> {
    if !geoip.is_configured() {
        return Ok(());
    }
    let mut hangups = signal(SignalKind::hangup())?;
    tokio::spawn(async move {
        while hangups.recv().await.is_some() {
            match geoip.reload() {
                Ok(()) => tracing::info!("GeoIP database reloaded: {}", geoip.describe()),
                Err(error) => {
                    tracing::error!("GeoIP database kept as it was: {error:#}");
                }
            }
        }
    });
    Ok(())
}
