//! The client's address. The socket's peer is the truth; `X-Forwarded-For` and
//! `Forwarded` are believed only when that peer is a trusted proxy (`TRUSTED_PROXIES`),
//! and then only up to the first address that is not itself a trusted proxy.

use std::net::IpAddr;

use actix_web::http::header::HeaderMap;
use ipnet::IpNet;

pub fn resolve(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpNet]) -> Option<IpAddr> {
    let peer = peer?;
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    // Hops are appended left to right, so walk from the nearest (rightmost) one back
    // while the hop is one of ours.
    let mut hops = forwarded_chain(headers);
    let mut client = peer;
    while let Some(hop) = hops.pop() {
        client = hop;
        if !is_trusted(&hop) {
            break;
        }
    }
    Some(client)
}

/// Addresses from `Forwarded: for=` if present, else `X-Forwarded-For`, in header order.
fn forwarded_chain(headers: &HeaderMap) -> Vec<IpAddr> {
    let forwarded: Vec<IpAddr> = headers
        .get_all("forwarded")
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .flat_map(|element| element.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(key, _)| key.eq_ignore_ascii_case("for"))
        .filter_map(|(_, value)| parse_forwarded_node(value))
        .collect();
    if !forwarded.is_empty() {
        return forwarded;
    }
    headers
        .get_all("x-forwarded-for")
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|hop| hop.trim().parse().ok())
        .collect()
}

/// `1.2.3.4`, `"1.2.3.4:80"`, `"[2001:db8::1]:443"`, `"[2001:db8::1]"`.
fn parse_forwarded_node(raw: &str) -> Option<IpAddr> {
    let node = raw.trim().trim_matches('"');
    if let Some(rest) = node.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    node.parse()
        .ok()
        .or_else(|| node.rsplit_once(':').and_then(|(ip, _)| ip.parse().ok()))
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::{HeaderName, HeaderValue};

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        map
    }

    fn ip(raw: &str) -> IpAddr {
        raw.parse().unwrap()
    }

    fn proxies() -> Vec<IpNet> {
        vec!["10.0.0.0/8".parse().unwrap(), "::1/128".parse().unwrap()]
    }

    #[test]
    fn untrusted_peers_cannot_spoof() {
        let spoof = headers(&[("x-forwarded-for", "1.1.1.1"), ("forwarded", "for=2.2.2.2")]);
        assert_eq!(
            resolve(Some(ip("203.0.113.9")), &spoof, &proxies()),
            Some(ip("203.0.113.9"))
        );
        assert_eq!(
            resolve(Some(ip("203.0.113.9")), &spoof, &[]),
            Some(ip("203.0.113.9"))
        );
    }

    #[test]
    fn trusted_proxy_chain_yields_the_first_untrusted_hop() {
        let chain = headers(&[("x-forwarded-for", "6.6.6.6, 198.51.100.7, 10.0.0.5")]);
        assert_eq!(
            resolve(Some(ip("10.0.0.1")), &chain, &proxies()),
            Some(ip("198.51.100.7"))
        );
    }

    #[test]
    fn forwarded_header_wins_and_handles_ports_and_ipv6() {
        let both = headers(&[
            (
                "forwarded",
                "for=\"[2001:db8::7]:4711\";proto=https, for=10.1.1.1",
            ),
            ("x-forwarded-for", "9.9.9.9"),
        ]);
        assert_eq!(
            resolve(Some(ip("::1")), &both, &proxies()),
            Some(ip("2001:db8::7"))
        );
        let v4_port = headers(&[("forwarded", "for=\"192.0.2.60:8080\"")]);
        assert_eq!(
            resolve(Some(ip("10.0.0.1")), &v4_port, &proxies()),
            Some(ip("192.0.2.60"))
        );
    }

    #[test]
    fn garbage_headers_fall_back_to_the_peer() {
        let junk = headers(&[("x-forwarded-for", "not-an-ip, , unknown")]);
        assert_eq!(
            resolve(Some(ip("10.0.0.1")), &junk, &proxies()),
            Some(ip("10.0.0.1"))
        );
        assert_eq!(resolve(None, &junk, &proxies()), None);
    }
}
