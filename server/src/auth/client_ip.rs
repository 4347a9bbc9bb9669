//! The client's address. The socket's peer is the truth; the one header the operator
//! names (`TRUSTED_PROXY_HEADER`: `X-Forwarded-For`, `Forwarded` or `X-Real-IP`) is
//! believed only when that peer is a trusted proxy (`TRUSTED_PROXIES`), and then walked
//! from the nearest hop back, skipping trusted proxies: the first address that is not
//! one of ours is the client. The other headers are ignored, so a client cannot slip a
//! `Forwarded` past a proxy that only appends `X-Forwarded-For`.

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
    let peer = peer?;
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    // Hops are appended left to right, so walk from the nearest (rightmost) one back
    // while the hop is one of ours.
    let mut hops = chain(headers, header);
    let mut client = peer;
    while let Some(hop) = hops.pop() {
        client = hop;
        if !is_trusted(&hop) {
            break;
        }
    }
    Some(client)
}

/// The addresses `header` lists, in header order (unparseable entries left out).
fn chain(headers: &HeaderMap, header: ProxyHeader) -> Vec<IpAddr> {
    let values = headers
        .get_all(header.name())
        .filter_map(|value| value.to_str().ok());
    match header {
        ProxyHeader::XForwardedFor | ProxyHeader::XRealIp => values
            .flat_map(|value| value.split(','))
            .filter_map(|hop| hop.trim().parse().ok())
            .collect(),
        ProxyHeader::Forwarded => values
            .flat_map(|value| value.split(','))
            .flat_map(|element| element.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .filter(|(key, _)| key.eq_ignore_ascii_case("for"))
            .filter_map(|(_, value)| parse_forwarded_node(value))
            .collect(),
    }
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
