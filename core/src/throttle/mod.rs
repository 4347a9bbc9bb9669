//! Login defence, after OWASP's device cookies and Keycloak's brute-force detection:
//! which counters judge a login attempt, and what a success or a refusal does to them.
//! The counters themselves, atomic and shared by every instance, are behind the
//! [`AttemptCounters`] port ([`memory`] keeps them in this process).
//!
//! - A login presenting a device cookie this server issued to the same account is judged
//!   by that device's counter alone: flooding the account or the school's address cannot
//!   keep someone out on a device they signed in from before.
//! - Any other login is judged by the account's counter (failures from every address
//!   alike) and by its address's (an IPv6 /64 counts as one address), whose limit is
//!   twenty times higher: spraying many accounts from one address slows down.
//! - Past its limit a counter delays the next attempt by `LOGIN_FIRST_DELAY` (1 s), then
//!   twice that, and so on up to `LOGIN_LOCKOUT` (15 min); a success resets the counters
//!   that judged it.
//!
//! An account is keyed by a keyed hash of its normalised email, whether or not it exists:
//! throttling tells nobody which emails are registered, and no email reaches the store.
//! Addresses are keyed the same way, so no address reaches it either, and two deployments
//! sharing one Redis (different `SESSION_SECRET`s) never share a counter.

pub mod memory;

use std::{net::IpAddr, time::Duration};

use hallpass_shared::SessionId;

use moka::sync::Cache;
use sha2::{Digest as _, Sha256};

use crate::ports::{AttemptCounters, Backoff, Charge, Verdict};

/// The address limit is this many times the account limit.
const PER_ADDRESS_FACTOR: u32 = 20;
/// A refused attempt is audited once per account (or device) per minute, per instance.
const AUDIT_WINDOW: Duration = Duration::from_secs(60);

/// A device cookie's contents: a random device id, and the account it signed in to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceClaim {
    /// 128 random bits, hex.
    pub id: String,
    /// The keyed hash of the account's email (hex).
    pub account: String,
}

/// The counters one login attempt is judged by.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// The keyed hash of the account's email, for the device cookie a login leaves
    /// (empty for a re-authentication, which leaves none).
    account: String,
    device: Option<DeviceClaim>,
    charges: Vec<Charge>,
    /// Forgotten on success.
    reset: Vec<String>,
    /// Given their slot back on success.
    release: Vec<String>,
}

pub struct LoginThrottle<C> {
    counters: C,
    /// Prepended to every counter key (a test's or a tenant's own keyspace).
    prefix: String,
    /// Keys the account hash, so the store cannot be searched for an email.
    key: [u8; 32],
    max_failures: u32,
    backoff: Backoff,
    audited: Cache<String, ()>,
}

impl<C: AttemptCounters> LoginThrottle<C> {
    pub fn new(
        counters: C,
        prefix: String,
        key: [u8; 32],
        max_failures: u32,
        backoff: Backoff,
    ) -> Self {
        Self {
            counters,
            prefix,
            key,
            max_failures,
            backoff,
            audited: Cache::builder()
                .max_capacity(100_000)
                .time_to_live(AUDIT_WINDOW)
                .build(),
        }
    }

    pub fn backend_name(&self) -> &'static str {
        self.counters.backend_name()
    }

    /// A login with `email` (normalised) from `ip`, with the device cookie it brought.
    pub fn login(&self, email: &str, ip: IpAddr, device: Option<DeviceClaim>) -> Attempt {
        let account = self.account_of(email);
        let account_key = format!("{}login:account:{account}", self.prefix);
        match device.filter(|device| device.account == account) {
            Some(device) => {
                let device_key = format!("{}login:device:{}", self.prefix, device.id);
                Attempt {
                    charges: vec![self.charge(&device_key, self.max_failures)],
                    reset: vec![device_key],
                    release: Vec::new(),
                    account,
                    device: Some(device),
                }
            }
            None => {
                let address = self.keyed_hash(&network_of(ip));
                let address_key = format!("{}login:address:{address}", self.prefix);
                let address_limit = self.max_failures.saturating_mul(PER_ADDRESS_FACTOR);
                Attempt {
                    charges: vec![
                        self.charge(&account_key, self.max_failures),
                        self.charge(&address_key, address_limit),
                    ],
                    reset: vec![account_key],
                    release: vec![address_key],
                    account,
                    device: None,
                }
            }
        }
    }

    /// A signed-in session giving its owner's password again (a password change):
    /// judged by a counter of that session's own, so that a login flood against the
    /// account cannot keep its signed-in owner from proving who they are, and guesses
    /// from a stolen session still slow down.
    pub fn reauthentication(&self, session: SessionId) -> Attempt {
        let session_key = format!("{}login:session:{session}", self.prefix);
        Attempt {
            charges: vec![self.charge(&session_key, self.max_failures)],
            reset: vec![session_key],
            release: Vec::new(),
            account: String::new(),
            device: None,
        }
    }

    /// Takes the attempt's slot, or says how long to wait (whole seconds, at least 1).
    pub async fn admit(&self, attempt: &Attempt) -> Result<(), u64> {
        match self.counters.attempt(&attempt.charges, self.backoff).await {
            Verdict::Allowed => Ok(()),
            Verdict::Wait(wait) => Err(wait.as_secs_f64().ceil().max(1.0) as u64),
        }
    }

    /// The password was right: the counters that judged the attempt start over.
    pub async fn succeeded(&self, attempt: &Attempt) {
        self.counters.settle(&attempt.reset, &attempt.release).await;
    }

    /// The attempt ended before its password could be judged (the database did not
    /// answer): it does not count.
    pub async fn abandoned(&self, attempt: &Attempt) {
        let keys: Vec<String> = attempt.charges.iter().map(|c| c.key.clone()).collect();
        self.counters.settle(&[], &keys).await;
    }

    /// Whether this refusal is the first of its account, its address (or its device)
    /// within a minute on this instance, and so is audited; the others are only counted
    /// in the metrics. Per address too: a flood of made-up emails from one throttled
    /// address adds one row a minute, not one per email.
    pub fn first_refusal_in_window(&self, attempt: &Attempt) -> bool {
        let fresh: Vec<bool> = attempt
            .charges
            .iter()
            .map(|charge| {
                self.audited
                    .entry_by_ref(&charge.key)
                    .or_insert(())
                    .is_fresh()
            })
            .collect();
        fresh.into_iter().all(|fresh| fresh)
    }

    /// The device cookie to leave after a success: the one presented, if it was this
    /// account's, else a new device.
    pub fn device_after_success(&self, attempt: &Attempt) -> anyhow::Result<DeviceClaim> {
        if let Some(device) = &attempt.device {
            return Ok(device.clone());
        }
        let mut id = [0u8; 16];
        getrandom::fill(&mut id).map_err(|error| anyhow::anyhow!("OS RNG failed: {error}"))?;
        Ok(DeviceClaim {
            id: hex::encode(id),
            account: attempt.account.clone(),
        })
    }

    fn account_of(&self, email: &str) -> String {
        self.keyed_hash(email)
    }

    /// SHA-256 of the throttle's key and `value`, hex.
    fn keyed_hash(&self, value: &str) -> String {
        let mut digest = Sha256::new();
        digest.update(self.key);
        digest.update(value.as_bytes());
        hex::encode(digest.finalize())
    }

    fn charge(&self, key: &str, limit: u32) -> Charge {
        Charge {
            key: key.to_owned(),
            limit,
        }
    }
}

/// An IPv4 address, or the /64 of an IPv6 one (one subscriber's network). An IPv4-mapped
/// IPv6 address is its IPv4 address: otherwise every such client would share the /64
/// `::ffff:0:0`.
fn network_of(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let segments = v6.segments();
            format!(
                "{:x}:{:x}:{:x}:{:x}::/64",
                segments[0], segments[1], segments[2], segments[3]
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{memory::MemoryAttempts, *};

    fn throttle(max_failures: u32) -> LoginThrottle<MemoryAttempts> {
        let counters = MemoryAttempts::default();
        let backoff = Backoff {
            base: Duration::from_secs(10),
            cap: Duration::from_secs(60),
        };
        LoginThrottle::new(counters, String::new(), [7; 32], max_failures, backoff)
    }

    const SCHOOL: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));

    #[tokio::test]
    async fn failures_from_every_address_slow_the_account() {
        let throttle = throttle(3);
        for n in 0..3u8 {
            let ip = IpAddr::V4(std::net::Ipv4Addr::new(198, 51, 100, n));
            assert_eq!(
                throttle.admit(&throttle.login("a@x.org", ip, None)).await,
                Ok(())
            );
        }
        let elsewhere = throttle.login("a@x.org", SCHOOL, None);
        assert!(throttle.admit(&elsewhere).await.is_err());
        let other_account = throttle.login("b@x.org", SCHOOL, None);
        assert_eq!(throttle.admit(&other_account).await, Ok(()));
    }

    #[test]
    fn refusals_are_audited_once_a_minute_per_account_and_per_address() {
        let throttle = throttle(3);
        let from_school = |email: &str| throttle.login(email, SCHOOL, None);
        assert!(throttle.first_refusal_in_window(&from_school("a@x.org")));
        assert!(!throttle.first_refusal_in_window(&from_school("a@x.org")));
        for n in 0..200 {
            let made_up = from_school(&format!("nobody{n}@x.org"));
            assert!(!throttle.first_refusal_in_window(&made_up), "{n}");
        }
        let elsewhere = throttle.login("a@x.org", "198.51.100.1".parse().unwrap(), None);
        assert!(
            !throttle.first_refusal_in_window(&elsewhere),
            "the account's"
        );
        let fresh = throttle.login("c@x.org", "198.51.100.2".parse().unwrap(), None);
        assert!(throttle.first_refusal_in_window(&fresh));
    }

    #[tokio::test]
    async fn a_known_device_is_judged_by_its_own_counter() {
        let throttle = throttle(1);
        let first = throttle.login("a@x.org", SCHOOL, None);
        throttle.admit(&first).await.unwrap();
        let device = throttle.device_after_success(&first).unwrap();
        throttle.succeeded(&first).await;
        // A classmate floods the account and the school's address.
        for _ in 0..30 {
            let _ = throttle
                .admit(&throttle.login("a@x.org", SCHOOL, None))
                .await;
        }
        assert!(
            throttle
                .admit(&throttle.login("a@x.org", SCHOOL, None))
                .await
                .is_err()
        );
        let on_device = throttle.login("a@x.org", SCHOOL, Some(device.clone()));
        assert_eq!(throttle.admit(&on_device).await, Ok(()));
        assert_eq!(throttle.device_after_success(&on_device).unwrap(), device);
        // The device cookie of another account counts for nothing here.
        let borrowed = throttle.login("b@x.org", SCHOOL, Some(device));
        assert_eq!(borrowed.charges.len(), 2);
    }

    #[test]
    fn an_ipv6_subscriber_is_one_address() {
        let ip = |raw: &str| network_of(raw.parse().unwrap());
        assert_eq!(ip("2001:db8:1:2:aaaa::1"), ip("2001:db8:1:2:bbbb::9"));
        assert_ne!(ip("2001:db8:1:2::1"), ip("2001:db8:1:3::1"));
        assert_eq!(ip("203.0.113.9"), "203.0.113.9");
    }

    #[test]
    fn an_ipv4_mapped_address_is_counted_as_its_ipv4_address() {
        let ip = |raw: &str| network_of(raw.parse().unwrap());
        assert_eq!(ip("::ffff:203.0.113.77"), ip("203.0.113.77"));
        assert_ne!(ip("::ffff:203.0.113.77"), ip("::ffff:198.51.100.7"));
    }
}
