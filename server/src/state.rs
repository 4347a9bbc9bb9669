//! What every handler shares.

use std::sync::Arc;

use crate::{
    auth::throttle::LoginThrottle, cache::Cache, config::Settings, db::DbPool,
    domain::sessions::Touches, metrics::Metrics,
};

pub struct AppState {
    pub db: DbPool,
    pub cache: Arc<Cache>,
    pub settings: Settings,
    pub throttle: LoginThrottle,
    pub metrics: Metrics,
    pub touches: Touches,
}
