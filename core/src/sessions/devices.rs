//! Recognising devices. A sign-in is from a *new device* when, in the last 90 days, the
//! account signed in neither from the same platform (device kind, browser family, OS
//! family and country) nor with the same device cookie. Families are names without their
//! version, so a browser update is not a new device; a trip abroad is.

use chrono::{DateTime, Duration, Utc};
use hallpass_shared::UserId;
use sha2::{Digest as _, Sha256};

use crate::{Result, model::NewSession, ports::Queries};

/// How long a device stays known after its last sign-in.
pub const REMEMBERED_FOR: Duration = Duration::days(90);

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

    /// Whether none of these was seen in a sign-in of `user_id` in the last 90 days.
    pub async fn are_new(
        &self,
        conn: &mut impl Queries,
        user_id: UserId,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let known = conn
            .any_device_seen_since(user_id, &self.0, now - REMEMBERED_FOR)
            .await?;
        Ok(!known)
    }

    /// Records these as seen by `user_id` now.
    pub async fn remember(
        &self,
        conn: &mut impl Queries,
        user_id: UserId,
        now: DateTime<Utc>,
    ) -> Result<()> {
        conn.remember_devices(user_id, &self.0, now).await
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
