//! What every handler shares: the domain it calls, the settings the HTTP edge reads
//! (cookie name, trusted proxies, public origin) and the cookie key.

use std::sync::Arc;

use actix_web::cookie::Key;

use crate::{config::Settings, domain::Domain};

pub struct AppState {
    pub domain: Arc<Domain>,
    pub settings: Settings,
    /// The session cookie's key (see `auth::cookie`).
    pub cookie_key: Key,
}
