//! Recognising devices. A sign-in is from a *new device* when, in the last 90 days, the
//! account signed in neither from the same platform (device kind, browser family, OS
//! family and country) nor with the same device cookie (one issued to this account: a
//! cookie issued to another is replaced, see
//! [`LoginThrottle::device_after_success`](crate::throttle::LoginThrottle::device_after_success)).
//! Families are names without their version, so a browser update is not a new device; a
//! trip abroad is.
//!
//! What a new device is recognised by is not learned at once, or an intruder's second
//! sign-in would pass as known: it is learned when the owner answers "yes, that was me"
//! from another session, or after [`LEARNED_AFTER`] unless they answered "no" (which
//! forgets it). A recognised sign-in, and an account's very first, are learned at once.

use chrono::{DateTime, Duration, Utc};
use hallpass_shared::UserId;
use sha2::{Digest as _, Sha256};

use crate::{
    Result,
    model::{Learning, NewSession, Session},
    ports::Queries,
};

/// How long a device stays known after its last sign-in.
pub const REMEMBERED_FOR: Duration = Duration::days(90);
/// How long a new device's sign-in must go without a "no" before it is learned.
pub const LEARNED_AFTER: Duration = Duration::days(7);

/// What a sign-in is recognised by: its platform, and the device cookie the browser
/// holds from now on, if any.
pub struct Fingerprints(Vec<String>);

impl Fingerprints {
    pub fn of(session: &NewSession, device_cookie_id: Option<&str>) -> Self {
        let platform = format!(
            "platform|{}|{}|{}|{}",
            session.device,
            family(&session.browser),
            family(&session.os),
            session
                .location
                .as_ref()
                .map_or("", |location| location.country.as_str()),
        );
        let cookie =
            device_cookie_id.map(|id| format!("cookie|{}", hex::encode(Sha256::digest(id))));
        Self(std::iter::once(platform).chain(cookie).collect())
    }

    /// Whether none of these is a learned device of `user_id` seen in the last 90 days.
    pub async fn are_new(
        &self,
        conn: &mut impl Queries,
        user_id: UserId,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let known = conn
            .any_device_known(user_id, &self.0, now - REMEMBERED_FOR, now)
            .await?;
        Ok(!known)
    }

    /// Records these as seen by `session`'s sign-in now: learned at once if it was
    /// recognised or is the account's first, else pending an answer (call before the
    /// session's own devices are written, i.e. right after [`Fingerprints::are_new`]).
    pub async fn remember(
        &self,
        conn: &mut impl Queries,
        session: &Session,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let learning = if session.new_device && conn.has_devices(session.user_id).await? {
            Learning::Pending {
                session: session.id,
                from: now + LEARNED_AFTER,
            }
        } else {
            Learning::Now
        };
        conn.remember_devices(session.user_id, &self.0, now, learning)
            .await
    }
}

/// A browser or OS name without its trailing version: `Chrome 131.0.6778.81` → `Chrome`,
/// `Mac OSX 10.15.7` → `Mac OSX`, `Windows 10` → `Windows`. The migration that created
/// `known_devices` computes the same in SQL.
pub fn family(label: &str) -> &str {
    match label.rsplit_once(' ') {
        Some((name, last)) if last.starts_with(|c: char| c.is_ascii_digit()) => name,
        _ => label,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_drop_the_version() {
        assert_eq!(family("Chrome 131.0.6778.81"), "Chrome");
        assert_eq!(family("Mac OSX 10.15.7"), "Mac OSX");
        assert_eq!(family("Windows 10"), "Windows");
        assert_eq!(family("Firefox"), "Firefox");
        assert_eq!(family("Unknown"), "Unknown");
        assert_eq!(family("Windows Phone OS"), "Windows Phone OS");
    }
}
