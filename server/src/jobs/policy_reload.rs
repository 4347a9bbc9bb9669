//! Keeping this instance's role policies in step with the database: reloaded as soon as
//! another instance announces a change (or the invalidation channel comes back after a
//! loss), and every [`RELOAD_EVERY`] in any case, which bounds how long a missed
//! announcement can go unnoticed.

use std::{sync::Arc, time::Duration};

use crate::domain::{Domain, policies};

/// The longest an instance goes without reading the policies.
pub const RELOAD_EVERY: Duration = Duration::from_secs(10);

pub fn spawn(domain: Arc<Domain>) {
    tokio::spawn(async move {
        loop {
            tokio::select! {
                () = domain.cache.policies_changed() => {}
                () = tokio::time::sleep(RELOAD_EVERY) => {}
            }
            if let Err(error) = policies::admin::reload(&domain).await {
                tracing::warn!("could not reload the role policies: {error}");
            }
        }
    });
}
