//! The client's address. The socket's peer is the truth; the one header the operator
//! names (`TRUSTED_PROXY_HEADER`: `X-Forwarded-For`, `Forwarded` or `X-Real-IP`) is
//! believed only when that peer is a trusted proxy (`TRUSTED_PROXIES`), and then walked
//! from the nearest hop back, skipping trusted proxies: the first address that is not
//! one of ours is the client. A hop that cannot be read (`unknown`, an obfuscated name,
//! garbage) ends the walk at the last trusted hop: whatever lies beyond it was written
//! by someone we do not trust. The other headers are ignored, so a client cannot slip a
//! `Forwarded` past a proxy that only appends `X-Forwarded-For`. Addresses come out
//! canonical: an IPv4-mapped IPv6 address (`::ffff:203.0.113.77`) is the IPv4 address.

use std::net::IpAddr;

use actix_web::http::header::HeaderMap;
use ipnet::IpNet;

use crate::config::ProxyHeader;

pub fn resolve(
    peer: Option<IpAddr>,
    headers: &HeaderMap,
    trusted: &[IpNet],
    header: ProxyHeader,
) -> Option<IpAddr> {
    let peer = peer?.to_canonical();
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    // Hops are appended left to right, so walk from the nearest (rightmost) one back
    // while the hop is one of ours.
    let mut hops = chain(headers, header);
    let mut client = peer;
    while let Some(Some(hop)) = hops.pop() {
        client = hop.to_canonical();
        if !is_trusted(&client) {
            break;
        }
    }
    Some(client)
}

/// The hops `header` lists, in header order; `None` for a hop that cannot be read.
fn chain(headers: &HeaderMap, header: ProxyHeader) -> Vec<Option<IpAddr>> {
    let values = headers
        .get_all(header.name())
        .map(|value| value.to_str().ok());
    match header {
        ProxyHeader::XForwardedFor | ProxyHeader::XRealIp => values
            .flat_map(|value| match value {
                Some(value) => value.split(',').map(parse_node).collect(),
                None => vec![None],
            })
            .collect(),
        ProxyHeader::Forwarded => values
            .flat_map(|value| match value {
                Some(value) => value.split(',').map(forwarded_for).collect(),
                None => vec![None],
            })
            .collect(),
    }
}

/// The `for=` node of one `Forwarded` element, if it has one that reads.
fn forwarded_for(element: &str) -> Option<IpAddr> {
    element
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| key.eq_ignore_ascii_case("for"))
        .and_then(|(_, value)| parse_node(value))
}

/// `1.2.3.4`, `1.2.3.4:80`, `2001:db8::1`, `[2001:db8::1]:443`, `[2001:db8::1]`, quoted
/// or not; anything else (`unknown`, `_hidden`, an empty hop) is `None`.
fn parse_node(raw: &str) -> Option<IpAddr> {
    let node = raw.trim().trim_matches('"');
    if let Some(rest) = node.strip_prefix('[') {
        let (ip, port) = rest.split_once(']')?;
        return (port.is_empty() || is_port(port.strip_prefix(':')?))
            .then(|| ip.parse::<std::net::Ipv6Addr>().ok().map(IpAddr::V6))
            .flatten();
    }
    node.parse().ok().or_else(|| {
        let (ip, port) = node.split_once(':')?;
        is_port(port)
            .then(|| ip.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4))
            .flatten()
    })
}

fn is_port(text: &str) -> bool {
    text.parse::<u16>().is_ok()
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

    fn via(peer: &str, headers: &HeaderMap, header: ProxyHeader) -> Option<IpAddr> {
        resolve(Some(ip(peer)), headers, &proxies(), header)
    }

    #[test]
    fn untrusted_peers_cannot_spoof() {
        let spoof = headers(&[
            ("x-forwarded-for", "1.1.1.1"),
            ("forwarded", "for=2.2.2.2"),
            ("x-real-ip", "3.3.3.3"),
        ]);
        for header in [
            ProxyHeader::XForwardedFor,
            ProxyHeader::Forwarded,
            ProxyHeader::XRealIp,
        ] {
            assert_eq!(via("203.0.113.9", &spoof, header), Some(ip("203.0.113.9")));
            let nobody_trusted = resolve(Some(ip("203.0.113.9")), &spoof, &[], header);
            assert_eq!(nobody_trusted, Some(ip("203.0.113.9")));
        }
    }

    /// nginx's `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for` appends the
    /// peer it saw to whatever the client sent, and passes a client's `Forwarded` through.
    #[test]
    fn behind_nginx_the_appended_hop_is_the_client_whatever_else_was_sent() {
        let forged = headers(&[
            ("x-forwarded-for", "6.6.6.6, 198.51.100.7"),
            ("forwarded", "for=192.0.2.1"),
            ("x-real-ip", "192.0.2.2"),
        ]);
        assert_eq!(
            via("10.0.0.1", &forged, ProxyHeader::XForwardedFor),
            Some(ip("198.51.100.7"))
        );
        let honest = headers(&[("x-forwarded-for", "198.51.100.7")]);
        assert_eq!(
            via("10.0.0.1", &honest, ProxyHeader::XForwardedFor),
            Some(ip("198.51.100.7"))
        );
    }

    #[test]
    fn trusted_hops_are_skipped_from_the_right() {
        let chain = headers(&[("x-forwarded-for", "6.6.6.6, 198.51.100.7, 10.0.0.5")]);
        assert_eq!(
            via("10.0.0.1", &chain, ProxyHeader::XForwardedFor),
            Some(ip("198.51.100.7"))
        );
        let all_ours = headers(&[("x-forwarded-for", "10.0.0.9, 10.0.0.5")]);
        assert_eq!(
            via("10.0.0.1", &all_ours, ProxyHeader::XForwardedFor),
            Some(ip("10.0.0.9"))
        );
    }

    #[test]
    fn forwarded_is_read_only_when_named_and_handles_ports_and_ipv6() {
        let both = headers(&[
            (
                "forwarded",
                "for=\"[2001:db8::7]:4711\";proto=https, for=10.1.1.1",
            ),
            ("x-forwarded-for", "9.9.9.9"),
        ]);
        assert_eq!(
            via("::1", &both, ProxyHeader::Forwarded),
            Some(ip("2001:db8::7"))
        );
        assert_eq!(
            via("::1", &both, ProxyHeader::XForwardedFor),
            Some(ip("9.9.9.9"))
        );
        let v4_port = headers(&[("forwarded", "for=\"192.0.2.60:8080\"")]);
        assert_eq!(
            via("10.0.0.1", &v4_port, ProxyHeader::Forwarded),
            Some(ip("192.0.2.60"))
        );
    }

    #[test]
    fn x_real_ip_names_the_client_directly() {
        let real = headers(&[
            ("x-real-ip", "198.51.100.8"),
            ("x-forwarded-for", "6.6.6.6"),
        ]);
        assert_eq!(
            via("10.0.0.1", &real, ProxyHeader::XRealIp),
            Some(ip("198.51.100.8"))
        );
    }

    #[test]
    fn hops_with_ports_and_brackets_are_read() {
        for (hops, client) in [
            ("6.6.6.6, 1.1.1.1:4444", "1.1.1.1"),
            ("6.6.6.6, [2001:db8::1]:443", "2001:db8::1"),
            ("6.6.6.6, [2001:db8::1]", "2001:db8::1"),
            ("6.6.6.6, 2001:db8::1", "2001:db8::1"),
            ("6.6.6.6, \"1.1.1.1\"", "1.1.1.1"),
        ] {
            let map = HeaderMap::from_iter([(
                HeaderName::from_static("x-forwarded-for"),
                HeaderValue::from_str(hops).unwrap(),
            )]);
            assert_eq!(
                via("10.0.0.1", &map, ProxyHeader::XForwardedFor),
                Some(ip(client)),
                "{hops}"
            );
        }
    }

    #[test]
    fn an_unreadable_hop_ends_the_walk_at_the_last_trusted_one() {
        for hops in [
            "6.6.6.6, unknown",
            "6.6.6.6, 1.1.1.1:port",
            "6.6.6.6, [2001:db8::1]x",
            "6.6.6.6, 1.1.1.1:4444:1",
            "6.6.6.6, ",
        ] {
            let map = HeaderMap::from_iter([(
                HeaderName::from_static("x-forwarded-for"),
                HeaderValue::from_str(hops).unwrap(),
            )]);
            assert_eq!(
                via("10.0.0.1", &map, ProxyHeader::XForwardedFor),
                Some(ip("10.0.0.1")),
                "{hops}"
            );
        }
        let behind_two = headers(&[("x-forwarded-for", "6.6.6.6, unknown, 10.0.0.5")]);
        assert_eq!(
            via("10.0.0.1", &behind_two, ProxyHeader::XForwardedFor),
            Some(ip("10.0.0.5"))
        );
        let hidden = headers(&[("forwarded", "for=6.6.6.6, for=_hidden, for=10.0.0.5")]);
        assert_eq!(
            via("10.0.0.1", &hidden, ProxyHeader::Forwarded),
            Some(ip("10.0.0.5"))
        );
        let no_for = headers(&[("forwarded", "for=6.6.6.6, proto=https")]);
        assert_eq!(
            via("10.0.0.1", &no_for, ProxyHeader::Forwarded),
            Some(ip("10.0.0.1"))
        );
    }

    #[test]
    fn ipv4_mapped_addresses_are_their_ipv4_address() {
        let none = HeaderMap::new();
        assert_eq!(
            via("::ffff:203.0.113.77", &none, ProxyHeader::XForwardedFor),
            Some(ip("203.0.113.77"))
        );
        let mapped = headers(&[("x-forwarded-for", "::ffff:198.51.100.7")]);
        assert_eq!(
            via("::ffff:10.0.0.1", &mapped, ProxyHeader::XForwardedFor),
            Some(ip("198.51.100.7")),
            "a mapped proxy is trusted as its IPv4 address"
        );
    }

    #[test]
    fn garbage_headers_fall_back_to_the_peer() {
        let junk = headers(&[("x-forwarded-for", "not-an-ip, , unknown")]);
        assert_eq!(
            via("10.0.0.1", &junk, ProxyHeader::XForwardedFor),
            Some(ip("10.0.0.1"))
        );
        assert_eq!(
            resolve(None, &junk, &proxies(), ProxyHeader::XForwardedFor),
            None
        );
    }
}
