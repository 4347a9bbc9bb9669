//! Approximate locations of client addresses, from a MaxMind-format database named by
//! `GEOIP_DB` (MaxMind GeoLite2, DB-IP Lite, or the `@ip-location-db/*-mmdb` packages).
//!
//! The database is read into memory once and swapped whole on [`GeoIp::reload`]
//! (SIGHUP), so a lookup never sees half a file. Lookups happen only when a session is
//! opened; addresses that are not public (loopback, private, link-local, shared, …) are
//! never looked up: databases give some of them a country they do not have.

use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr},
    path::{Path, PathBuf},
    sync::{Arc, RwLock},
};

use anyhow::Context as _;
use hallpass_shared::Location;
use maxminddb::Reader;
use serde::Deserialize;

/// The loaded database, if `GEOIP_DB` is set. Without one, nothing is located.
pub struct GeoIp {
    path: Option<PathBuf>,
    reader: RwLock<Option<Arc<Reader<Vec<u8>>>>>,
}

impl GeoIp {
    /// No database: every lookup answers `None`.
    pub fn disabled() -> Self {
        Self {
            path: None,
            reader: RwLock::new(None),
        }
    }

    /// Loads `path`; an unreadable or malformed file stops the start-up, as any other
    /// bad setting does.
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        let reader = load(path)?;
        Ok(Self {
            path: Some(path.to_owned()),
            reader: RwLock::new(Some(Arc::new(reader))),
        })
    }

    /// Whether `GEOIP_DB` names a database.
    pub fn is_configured(&self) -> bool {
        self.path.is_some()
    }

    /// Reads the file again (after it was replaced by a newer release). On failure the
    /// database in use stays, and the error says why.
    pub fn reload(&self) -> anyhow::Result<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let reader = Arc::new(load(path)?);
        *self
            .reader
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(reader);
        Ok(())
    }

    /// A one-line description for the start-up log.
    pub fn describe(&self) -> String {
        match (&self.path, self.current()) {
            (Some(path), Some(reader)) => {
                let metadata = reader.metadata();
                format!(
                    "{} ({}, built {})",
                    path.display(),
                    metadata.database_type,
                    chrono::DateTime::from_timestamp(
                        i64::try_from(metadata.build_epoch).unwrap_or(0),
                        0
                    )
                    .map_or_else(|| "?".to_owned(), |at| at.date_naive().to_string())
                )
            }
            _ => "off".to_owned(),
        }
    }

    /// Where `ip` is, if it is a public address the database knows a country for.
    pub fn locate(&self, ip: IpAddr) -> Option<Location> {
        let ip = canonical(ip);
        if !is_public(ip) {
            return None;
        }
        let reader = self.current()?;
        let found = reader.lookup(ip).ok()?;
        let record: Record<'_> = found.decode().ok()??;
        record.location()
    }

    fn current(&self) -> Option<Arc<Reader<Vec<u8>>>> {
        self.reader
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

fn load(path: &Path) -> anyhow::Result<Reader<Vec<u8>>> {
    Reader::open_readfile(path).with_context(|| {
        format!(
            "GEOIP_DB {}: not a readable MaxMind database",
            path.display()
        )
    })
}

/// IPv4 addresses written as IPv6 (`::ffff:a.b.c.d`, as dual-stack sockets report them)
/// are looked up as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// Whether `ip` can belong to a client on the Internet: not loopback, private, shared
/// (carrier-grade NAT), link-local, documentation, benchmarking, multicast, unspecified
/// or reserved.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let shared = a == 100 && (64..128).contains(&b);
    let benchmarking = a == 198 && (b & 0xfe) == 18;
    let protocol_assignments = a == 192 && b == 0 && c == 0;
    let reserved = a >= 240;
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_documentation()
        || ip.is_multicast()
        || ip.is_broadcast()
        || a == 0
        || shared
        || benchmarking
        || protocol_assignments
        || reserved)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    let unique_local = (first & 0xfe00) == 0xfc00;
    let link_local = (first & 0xffc0) == 0xfe80;
    let documentation = first == 0x2001 && ip.segments()[1] == 0x0db8;
    // Global unicast is 2000::/3; everything else is special or unassigned.
    let global_unicast = (first & 0xe000) == 0x2000;
    global_unicast && !(unique_local || link_local || documentation || ip.is_multicast())
}

/// The fields Hallpass reads, in either layout: MaxMind's (`country.iso_code`,
/// `city.names.en`, `subdivisions[0].names.en`; DB-IP Lite too) or ip-location-db's flat
/// one (`country_code`, `city`, `state1`).
#[derive(Debug, Default, Deserialize)]
struct Record<'a> {
    #[serde(borrow, default)]
    country: Option<Coded<'a>>,
    #[serde(borrow, default)]
    country_code: Option<&'a str>,
    #[serde(borrow, default)]
    city: Option<Named<'a>>,
    #[serde(borrow, default)]
    subdivisions: Vec<Named<'a>>,
    #[serde(borrow, default)]
    state1: Option<&'a str>,
}

#[derive(Debug, Deserialize)]
struct Coded<'a> {
    #[serde(borrow, default)]
    iso_code: Option<&'a str>,
}

/// A place name: a plain string, or MaxMind's map of names by language.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Named<'a> {
    Plain(&'a str),
    Names {
        #[serde(borrow)]
        names: Names<'a>,
    },
}

#[derive(Debug, Deserialize)]
struct Names<'a> {
    #[serde(borrow, default)]
    en: Option<&'a str>,
}

impl<'a> Named<'a> {
    fn english(&self) -> Option<&'a str> {
        match self {
            Self::Plain(name) => Some(name),
            Self::Names { names } => names.en,
        }
    }
}

/// Longest region or city name kept (the column's limit).
const PLACE_MAX_CHARS: usize = 200;

impl Record<'_> {
    fn location(&self) -> Option<Location> {
        let country = self
            .country
            .as_ref()
            .and_then(|country| country.iso_code)
            .or(self.country_code)
            .filter(|code| code.len() == 2 && code.bytes().all(|b| b.is_ascii_alphabetic()))?
            .to_ascii_uppercase();
        let place = |name: Option<&str>| {
            name.map(str::trim)
                .filter(|name| {
                    !name.is_empty()
                        && name.chars().count() <= PLACE_MAX_CHARS
                        && !name.chars().any(char::is_control)
                })
                .map(str::to_owned)
        };
        let region = self
            .subdivisions
            .first()
            .and_then(Named::english)
            .or(self.state1);
        Some(Location {
            country,
            region: place(region),
            city: place(self.city.as_ref().and_then(Named::english)),
        })
    }
}

impl hallpass_core::ports::Locator for GeoIp {
    fn locate(&self, ip: IpAddr) -> Option<Location> {
        GeoIp::locate(self, ip)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn location_of(json: &str) -> Option<Location> {
        let record: Record<'_> = serde_json::from_str(json).ok()?;
        record.location()
    }

    #[test]
    fn reads_maxminds_layout() {
        let location = location_of(
            r#"{"country":{"iso_code":"FR","names":{"en":"France","fr":"France"}},
                "city":{"names":{"en":"Paris"}},
                "subdivisions":[{"iso_code":"IDF","names":{"en":"Île-de-France"}}]}"#,
        );
        assert_eq!(
            location,
            Some(Location {
                country: "FR".into(),
                region: Some("Île-de-France".into()),
                city: Some("Paris".into()),
            })
        );
    }

    #[test]
    fn reads_the_flat_layout() {
        assert_eq!(
            location_of(r#"{"country_code":"us","city":"Austin","state1":"Texas"}"#),
            Some(Location {
                country: "US".into(),
                region: Some("Texas".into()),
                city: Some("Austin".into()),
            })
        );
        assert_eq!(
            location_of(r#"{"country_code":"DE"}"#).map(|l| (l.country, l.city)),
            Some(("DE".into(), None))
        );
    }

    #[test]
    fn a_record_without_a_country_locates_nothing() {
        assert_eq!(location_of(r#"{"city":"Nowhere"}"#), None);
        assert_eq!(location_of(r#"{"country_code":"Europe"}"#), None);
        assert_eq!(location_of(r#"{"country_code":""}"#), None);
    }

    #[test]
    fn only_public_addresses_are_looked_up() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "100.64.0.1",
            "169.254.1.1",
            "192.0.2.1",
            "198.18.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "2001:db8::1",
            "ff02::1",
        ] {
            let ip: IpAddr = private.parse().unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
            assert!(!is_public(canonical(ip)), "{private} counted as public");
        }
        for public in ["90.0.0.1", "8.8.8.8", "2a01:cb00::1", "2001:4860::1"] {
            let ip: IpAddr = public.parse().unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
            assert!(is_public(canonical(ip)), "{public} counted as private");
        }
        let mapped: IpAddr = "::ffff:192.168.0.1"
            .parse()
            .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
        assert!(!is_public(canonical(mapped)));
    }

    #[test]
    fn without_a_database_nothing_is_located() {
        let geoip = GeoIp::disabled();
        assert_eq!(geoip.locate(IpAddr::V4(Ipv4Addr::new(90, 0, 0, 1))), None);
        assert!(geoip.reload().is_ok());
        assert_eq!(geoip.describe(), "off");
    }
}
