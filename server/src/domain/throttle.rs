//! Failed-login throttling: after `max_failures` failures for one email from one address
//! (or twenty times that from one address, for credential stuffing) logins are refused
//! with 429 until the window has passed. In-process: each instance counts on its own.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

const PER_ADDRESS_FACTOR: u32 = 20;
/// Past this many tracked keys, stale windows are swept on the next failure.
const SWEEP_ABOVE: usize = 10_000;

pub struct LoginThrottle {
    max_failures: u32,
    window: Duration,
    failures: Mutex<HashMap<String, Window>>,
}

#[derive(Clone, Copy)]
struct Window {
    started: Instant,
    count: u32,
}

impl LoginThrottle {
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Self {
            max_failures,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(seconds to wait)` while either key is over its limit.
    pub fn check(&self, ip: IpAddr, email: &str) -> Result<(), u64> {
        let now = Instant::now();
        let failures = self.lock();
        let limits = [
            (pair_key(ip, email), self.max_failures),
            (
                ip.to_string(),
                self.max_failures.saturating_mul(PER_ADDRESS_FACTOR),
            ),
        ];
        let wait = limits
            .iter()
            .filter_map(|(key, limit)| failures.get(key).map(|window| (window, *limit)))
            .filter(|(window, limit)| window.count >= *limit)
            .filter_map(|(window, _)| (window.started + self.window).checked_duration_since(now))
            .max();
        match wait {
            Some(wait) if !wait.is_zero() => Err(wait.as_secs().max(1)),
            _ => Ok(()),
        }
    }

    pub fn record_failure(&self, ip: IpAddr, email: &str) {
        let now = Instant::now();
        let mut failures = self.lock();
        if failures.len() > SWEEP_ABOVE {
            failures.retain(|_, window| now.duration_since(window.started) < self.window);
        }
        for key in [pair_key(ip, email), ip.to_string()] {
            let window = failures.entry(key).or_insert(Window {
                started: now,
                count: 0,
            });
            if now.duration_since(window.started) >= self.window {
                *window = Window {
                    started: now,
                    count: 0,
                };
            }
            window.count += 1;
        }
    }

    /// A successful login clears the email's count (not the address's).
    pub fn record_success(&self, ip: IpAddr, email: &str) {
        self.lock().remove(&pair_key(ip, email));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Window>> {
        // A panic while holding this lock leaves only counters behind; keep using them.
        self.failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn pair_key(ip: IpAddr, email: &str) -> String {
    format!("{ip}|{email}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    #[test]
    fn locks_after_max_failures_and_names_the_wait() {
        let throttle = LoginThrottle::new(3, Duration::from_secs(600));
        for _ in 0..3 {
            assert_eq!(throttle.check(IP, "a@x.org"), Ok(()));
            throttle.record_failure(IP, "a@x.org");
        }
        let wait = throttle.check(IP, "a@x.org").unwrap_err();
        assert!((590..=600).contains(&wait), "{wait}");
        assert_eq!(
            throttle.check(IP, "b@x.org"),
            Ok(()),
            "other emails are unaffected"
        );
    }

    #[test]
    fn success_resets_and_windows_expire() {
        let throttle = LoginThrottle::new(2, Duration::from_millis(50));
        throttle.record_failure(IP, "a@x.org");
        throttle.record_success(IP, "a@x.org");
        throttle.record_failure(IP, "a@x.org");
        assert_eq!(throttle.check(IP, "a@x.org"), Ok(()));
        throttle.record_failure(IP, "a@x.org");
        assert!(throttle.check(IP, "a@x.org").is_err());
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(throttle.check(IP, "a@x.org"), Ok(()));
    }

    #[test]
    fn one_address_trying_many_emails_is_stopped() {
        let throttle = LoginThrottle::new(1, Duration::from_secs(60));
        for n in 0..PER_ADDRESS_FACTOR {
            throttle.record_failure(IP, &format!("user{n}@x.org"));
        }
        assert!(throttle.check(IP, "fresh@x.org").is_err());
    }
}
