//! [`Client`]: where a request comes from, as recorded with sessions and audit events.
//! The HTTP edge builds it from the peer address, the trusted proxies' header and the
//! `User-Agent`; the rules only read it.

use std::net::{IpAddr, Ipv6Addr};

/// Longest `User-Agent` kept, in characters.
pub const MAX_USER_AGENT_CHARS: usize = 512;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Client {
    addr: Option<IpAddr>,
    user_agent: String,
}

impl Client {
    /// `user_agent` is kept to its first 512 characters.
    pub fn new(addr: Option<IpAddr>, user_agent: &str) -> Self {
        let user_agent = match user_agent.char_indices().nth(MAX_USER_AGENT_CHARS) {
            Some((cut, _)) => user_agent[..cut].to_owned(),
            None => user_agent.to_owned(),
        };
        Self { addr, user_agent }
    }

    /// The address for throttling; requests without one share a single bucket.
    pub fn ip_addr(&self) -> IpAddr {
        self.addr.unwrap_or(IpAddr::V6(Ipv6Addr::UNSPECIFIED))
    }

    /// The address as stored, `unknown` when there is none.
    pub fn ip(&self) -> String {
        self.addr
            .map_or_else(|| "unknown".to_owned(), |addr| addr.to_string())
    }

    /// The `User-Agent` as stored (at most 512 characters; empty when absent).
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agents_are_cut_on_a_character_boundary() {
        let long = "é".repeat(600);
        let client = Client::new(None, &long);
        assert_eq!(client.user_agent().chars().count(), MAX_USER_AGENT_CHARS);
        assert_eq!(Client::new(None, "curl/8").user_agent(), "curl/8");
    }

    #[test]
    fn a_missing_address_is_unknown_and_one_bucket() {
        let client = Client::new(None, "");
        assert_eq!(client.ip(), "unknown");
        assert_eq!(client.ip_addr(), IpAddr::V6(Ipv6Addr::UNSPECIFIED));
        let client = Client::new(Some("192.0.2.7".parse().unwrap()), "");
        assert_eq!(client.ip(), "192.0.2.7");
    }
}
