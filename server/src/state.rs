//! What every handler shares: the domain it calls and the settings the HTTP edge reads
//! (trusted proxies, public origin). The session cookie's keys are registered beside it
//! ([`SessionCookies`](crate::auth::cookie::SessionCookies)).

use std::sync::Arc;

use tracing::Instrument as _;

use crate::{
    config::Settings,
    domain::{self, Domain},
    error::ApiError,
    telemetry,
};

pub struct AppState {
    pub domain: Arc<Domain>,
    pub settings: Settings,
}

impl AppState {
    /// Runs a domain operation that writes on a task of its own, so that nothing can
    /// stop it halfway: neither the request deadline nor a client hanging up may drop
    /// it between a commit and the cache fences that must follow it. The request may
    /// stop waiting; the operation still finishes.
    pub async fn to_completion<T, F>(
        &self,
        operation: impl FnOnce(Arc<Domain>) -> F,
    ) -> Result<T, ApiError>
    where
        F: Future<Output = domain::Result<T>> + Send + 'static,
        T: Send + 'static,
    {
        let operation = operation(Arc::clone(&self.domain)).in_current_span();
        let operation = telemetry::in_current_request(operation);
        let task = tokio::spawn(operation);
        let outcome = task
            .await
            .map_err(|error| ApiError::Internal(anyhow::anyhow!("domain task failed: {error}")))?;
        Ok(outcome?)
    }
}
