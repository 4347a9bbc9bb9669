//! What every handler shares: the domain it calls, the settings the HTTP edge reads
//! (trusted proxies, public origin) and the session cookie's keys.

use std::sync::Arc;

use crate::{auth::cookie::SessionCookies, config::Settings, domain::Domain};

pub struct AppState {
    pub domain: Arc<Domain>,
    pub settings: Settings,
    pub cookies: SessionCookies,
}
