//! Times `GeoIp::locate` (what opening a session pays with `GEOIP_DB` set) over spread
//! public IPv4 and IPv6 addresses and over private ones (refused before any lookup),
//! beside its ceiling: a bare `maxminddb` lookup decoding only the country code, in the
//! same database, in the same run. Prints nanoseconds per lookup.
//!
//!   hallpass-bench-geoip DATABASE.mmdb [LOOKUPS]

use std::{
    hint::black_box,
    net::{IpAddr, Ipv4Addr, Ipv6Addr},
    path::PathBuf,
    time::Instant,
};

use anyhow::Context as _;
use hallpass_server::geoip::{GeoIp, is_public};
use serde::Deserialize;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = PathBuf::from(
        args.next()
            .context("usage: hallpass-bench-geoip DATABASE.mmdb [LOOKUPS]")?,
    );
    let lookups: u32 = args.next().map_or(Ok(1_000_000), |n| n.parse())?;
    let geoip = GeoIp::open(&path)?;
    let bare = maxminddb::Reader::open_readfile(&path)?;

    let v4 = addresses(lookups, |n| IpAddr::V4(Ipv4Addr::from(n)));
    let v6 = ipv6_addresses(&bare, lookups)?;
    let private: Vec<IpAddr> = (0..lookups)
        .map(|n| IpAddr::V4(Ipv4Addr::new(10, (n >> 16) as u8, (n >> 8) as u8, n as u8)))
        .collect();

    println!("GeoIP lookups in {} ({} each):", path.display(), lookups);
    for (name, addresses) in [("public IPv4", &v4), ("public IPv6", &v6)] {
        let located = time(addresses, |ip| geoip.locate(ip).is_some());
        let ceiling = time(addresses, |ip| country_code(&bare, ip));
        println!(
            "  {name:<12} locate {:>6.0} ns ({:>4.1}% placed)   bare lookup {:>6.0} ns   ratio {:.2}",
            located.0,
            located.1,
            ceiling.0,
            located.0 / ceiling.0
        );
    }
    let refused = time(&private, |ip| geoip.locate(ip).is_some());
    println!(
        "  private      locate {:>6.0} ns (never looked up)",
        refused.0
    );
    Ok(())
}

/// `count` addresses spread over the whole space (a multiplicative hash of 0..count),
/// keeping only public ones for the public runs.
fn addresses(count: u32, make: impl Fn(u32) -> IpAddr) -> Vec<IpAddr> {
    (0_u32..)
        .map(|n| make(n.wrapping_mul(2_654_435_761)))
        .filter(|ip| is_public(*ip))
        .take(count as usize)
        .collect()
}

/// `count` IPv6 addresses inside the database's own IPv6 networks (random ones would
/// nearly all fall in unallocated space), one address a network, round and round.
fn ipv6_addresses(reader: &maxminddb::Reader<Vec<u8>>, count: u32) -> anyhow::Result<Vec<IpAddr>> {
    let mut networks = Vec::new();
    for found in reader.networks(Default::default())? {
        if let IpAddr::V6(network) = found?.network()?.ip()
            && is_public(IpAddr::V6(network))
        {
            networks.push(u128::from(network));
        }
    }
    anyhow::ensure!(!networks.is_empty(), "the database has no IPv6 networks");
    Ok((0..count as usize)
        .map(|n| {
            let host = (n as u128).wrapping_mul(0x9e37_79b9) & 0xffff;
            IpAddr::V6(Ipv6Addr::from(networks[n % networks.len()] | host))
        })
        .collect())
}

/// Mean nanoseconds per call of `f` over `addresses`, and the percentage it said yes to.
fn time(addresses: &[IpAddr], f: impl Fn(IpAddr) -> bool) -> (f64, f64) {
    let started = Instant::now();
    let yes = addresses.iter().filter(|ip| black_box(f(**ip))).count();
    let nanos = started.elapsed().as_nanos() as f64 / addresses.len() as f64;
    (nanos, 100.0 * yes as f64 / addresses.len() as f64)
}

#[derive(Deserialize)]
struct CountryCode<'a> {
    #[serde(borrow)]
    country_code: Option<&'a str>,
}

fn country_code(reader: &maxminddb::Reader<Vec<u8>>, ip: IpAddr) -> bool {
    reader
        .lookup(ip)
        .ok()
        .and_then(|found| found.decode::<CountryCode<'_>>().ok().flatten())
        .is_some_and(|record| record.country_code.is_some())
}
