//! What every handler shares: the domain it calls and the settings the HTTP edge reads
//! (cookie name, trusted proxies, public origin).

use std::sync::Arc;

use crate::{config::Settings, domain::Domain};

pub struct AppState {
    pub domain: Arc<Domain>,
    pub settings: Settings,
}
