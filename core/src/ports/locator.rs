//! Where a client address is, approximately (a GeoIP database in the server).

use std::net::IpAddr;

use hallpass_shared::Location;

pub trait Locator: Send + Sync + 'static {
    /// `None` for addresses that are not public, or that the database does not place.
    fn locate(&self, ip: IpAddr) -> Option<Location>;
}
