//! Background work: keeping storage tidy and gauges current without blocking requests.

pub mod cache_probe;
pub mod gauges;
pub mod geoip_reload;
pub mod invalidations;
pub mod policy_reload;
pub mod purge;
pub mod touches;
