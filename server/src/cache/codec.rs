//! The stored form of a cached session in the shared tier: short keys, timestamps as
//! integer microseconds (read on every cache hit, so cheap to parse), and a format
//! version so that entries written by another release are treated as misses rather than
//! misread. [`to_vec`], [`to_value`] and [`from_slice`], [`from_value`] are the only
//! ways in and out.

use chrono::{DateTime, Utc};
use hallpass_core::cached::CachedSession;
use hallpass_shared::{DeviceKind, Location, Role, SessionId, SessionView, UserId, UserView};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

const VERSION: u8 = 1;

#[derive(Serialize, Deserialize)]
struct StoredSession {
    v: u8,
    // The user.
    u: Uuid,
    e: String,
    n: String,
    r: Role,
    a: bool,
    uc: i64,
    // The session.
    s: Uuid,
    ip: String,
    g: String,
    d: DeviceKind,
    b: String,
    o: String,
    c: i64,
    l: i64,
    x: i64,
    // Added later in format 1: absent from older entries, absent when empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nm: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pl: Option<Location>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    nd: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pc: bool,
}

/// A cached session read back (checked on the way in).
#[derive(Deserialize)]
#[serde(try_from = "StoredSession")]
struct Read(CachedSession);

pub fn to_vec(cached: &CachedSession) -> serde_json::Result<Vec<u8>> {
    serde_json::to_vec(&StoredSession::from(cached.clone()))
}

pub fn to_value(cached: &CachedSession) -> serde_json::Result<serde_json::Value> {
    serde_json::to_value(StoredSession::from(cached.clone()))
}

pub fn from_slice(bytes: &[u8]) -> serde_json::Result<CachedSession> {
    serde_json::from_slice::<Read>(bytes).map(|Read(cached)| cached)
}

pub fn from_value(value: serde_json::Value) -> serde_json::Result<CachedSession> {
    serde_json::from_value::<Read>(value).map(|Read(cached)| cached)
}

impl From<CachedSession> for StoredSession {
    fn from(CachedSession { user, session }: CachedSession) -> Self {
        Self {
            v: VERSION,
            u: user.id.0,
            e: user.email,
            n: user.name,
            r: user.role,
            a: user.is_active,
            uc: user.created_at.timestamp_micros(),
            s: session.id.0,
            ip: session.ip_address,
            g: session.user_agent,
            d: session.device,
            b: session.browser,
            o: session.os,
            c: session.created.timestamp_micros(),
            l: session.last_seen_at.timestamp_micros(),
            x: session.expires_at.timestamp_micros(),
            nm: session.name,
            pl: session.location,
            nd: session.new_device,
            pc: user.must_change_password,
        }
    }
}

impl TryFrom<StoredSession> for Read {
    type Error = String;

    fn try_from(stored: StoredSession) -> Result<Self, Self::Error> {
        if stored.v != VERSION {
            return Err(format!("cache entry format {} is not {VERSION}", stored.v));
        }
        let at = |micros: i64| {
            DateTime::<Utc>::from_timestamp_micros(micros).ok_or("timestamp out of range")
        };
        Ok(Self(CachedSession {
            user: UserView {
                id: UserId(stored.u),
                email: stored.e,
                name: stored.n,
                role: stored.r,
                is_active: stored.a,
                created_at: at(stored.uc)?,
                must_change_password: stored.pc,
            },
            session: SessionView {
                id: SessionId(stored.s),
                ip_address: stored.ip,
                user_agent: stored.g,
                device: stored.d,
                browser: stored.b,
                os: stored.o,
                created: at(stored.c)?,
                last_seen_at: at(stored.l)?,
                expires_at: at(stored.x)?,
                is_current: true,
                name: stored.nm,
                location: stored.pl,
                new_device: stored.nd,
            },
        }))
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(in crate::cache) fn sample() -> CachedSession {
        let now = DateTime::from_timestamp_micros(1_790_000_000_123_456).unwrap();
        CachedSession {
            user: UserView {
                id: UserId::random(),
                email: "ada@school.example.org".into(),
                name: "Ada \"the\" Lovelace".into(),
                role: Role::Teacher,
                is_active: true,
                created_at: now,
                must_change_password: true,
            },
            session: SessionView {
                id: SessionId::random(),
                ip_address: "2001:db8::1".into(),
                user_agent: "Mozilla/5.0 é".into(),
                device: DeviceKind::Computer,
                browser: "Firefox 120.0".into(),
                os: "Linux".into(),
                created: now,
                last_seen_at: now,
                expires_at: now + chrono::Duration::days(30),
                is_current: true,
                name: Some("School laptop".into()),
                location: Some(Location {
                    country: "FR".into(),
                    region: None,
                    city: Some("Paris".into()),
                }),
                new_device: true,
            },
        }
    }

    #[test]
    fn round_trips_exactly() {
        let cached = sample();
        let bytes = to_vec(&cached).unwrap();
        assert_eq!(from_slice(&bytes).unwrap(), cached);
        let value = to_value(&cached).unwrap();
        assert_eq!(value["v"], 1);
        assert_eq!(from_value(value).unwrap(), cached);
    }

    #[test]
    fn entries_written_before_names_and_places_still_read() {
        let written = sample();
        let mut value = to_value(&written).unwrap();
        for added in ["nm", "pl", "nd", "pc"] {
            value.as_object_mut().unwrap().remove(added);
        }
        let read = from_value(value).unwrap();
        assert_eq!(read.session.name, None);
        assert_eq!(read.session.location, None);
        assert!(!read.session.new_device);
        assert!(!read.user.must_change_password);
        let user = UserView {
            must_change_password: true,
            ..read.user
        };
        assert_eq!(user, written.user);
        assert_eq!(read.session.id, written.session.id);
    }

    #[test]
    fn other_versions_are_refused() {
        let mut value = to_value(&sample()).unwrap();
        value["v"] = 2.into();
        assert!(from_value(value).is_err());
    }
}
