//! The stored form of a cached session in the shared tier, authenticated: whoever can
//! write to Redis or to the `session_cache` table (a shared Redis, a neighbour service, a
//! backup restored elsewhere) must not be able to make a student an admin or plant back
//! a revoked session. An entry is `{tag}.{json}`: the JSON has short keys, timestamps as
//! integer microseconds (read on every hit, so cheap to parse) and a format version; the
//! tag is HMAC-SHA-256 over the cache key and the JSON, keyed by a key derived from the
//! stable secret, so an entry copied to another key (another token's) fails too.
//! [`EntrySeal`] is the only way in and out.

use chrono::{DateTime, Utc};
use hallpass_core::cached::CachedSession;
use hallpass_shared::{DeviceKind, Location, Role, SessionId, SessionView, UserId, UserView};
use hmac::{Hmac, Mac as _};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use uuid::Uuid;

/// 2: tagged. Entries of format 1 (untagged, of an earlier release) are never read.
const VERSION: u8 = 2;
/// Hex digits of a tag.
const TAG_HEX_LEN: usize = 64;

#[derive(Serialize, Deserialize)]
struct StoredSession {
    v: u8,
    /// Trusted until (microseconds): an entry replayed later is refused whatever its tag.
    t: i64,
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
    // Absent when empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nm: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pl: Option<Location>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    nd: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pc: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    sd: bool,
}

/// A cached session read back (checked on the way in), and until when it is trusted.
#[derive(Deserialize)]
#[serde(try_from = "StoredSession")]
struct Read(CachedSession, DateTime<Utc>);

/// Why an entry was not taken.
#[derive(Debug, PartialEq, Eq)]
pub enum Unsealed {
    /// Its tag does not match: written by someone without the key, or under another
    /// key name. Worth a warning.
    Forged,
    /// Untagged (an earlier release's entry) or unreadable after a good tag (another
    /// format version): only a miss.
    Stale(String),
}

/// Tags entries on the way in and checks them on the way out.
pub struct EntrySeal {
    /// Keyed once; cloned per entry, which copies the keyed state instead of hashing
    /// the key again.
    mac: Hmac<Sha256>,
}

impl EntrySeal {
    #[expect(
        clippy::expect_used,
        reason = "HMAC takes keys of every length: new_from_slice never fails"
    )]
    pub fn new(key: &[u8; 32]) -> Self {
        Self {
            mac: Hmac::new_from_slice(key).expect("HMAC takes a key of any length"),
        }
    }

    /// `cached` as the entry for `key`, trusted until `until`.
    pub fn seal(
        &self,
        key: &str,
        cached: &CachedSession,
        until: DateTime<Utc>,
    ) -> serde_json::Result<String> {
        let json = serde_json::to_string(&StoredSession::new(cached.clone(), until))?;
        let tag = self.tag(key, &json).finalize().into_bytes();
        Ok([hex::encode(tag).as_str(), ".", json.as_str()].concat())
    }

    /// The session of the entry for `key`, if its tag is right (compared in constant
    /// time), it reads, and it is still to be trusted at `now`.
    pub fn open(
        &self,
        key: &str,
        entry: &str,
        now: DateTime<Utc>,
    ) -> Result<CachedSession, Unsealed> {
        if entry.starts_with('{') {
            return Err(Unsealed::Stale(
                "an untagged entry of an earlier release".into(),
            ));
        }
        let (tag, json) = entry
            .split_at_checked(TAG_HEX_LEN)
            .and_then(|(tag, rest)| Some((hex::decode(tag).ok()?, rest.strip_prefix('.')?)))
            .ok_or(Unsealed::Forged)?;
        self.tag(key, json)
            .verify_slice(&tag)
            .map_err(|_| Unsealed::Forged)?;
        let Read(cached, until) =
            serde_json::from_str(json).map_err(|error| Unsealed::Stale(error.to_string()))?;
        if until <= now {
            return Err(Unsealed::Stale("an entry past its time".into()));
        }
        Ok(cached)
    }

    fn tag(&self, key: &str, json: &str) -> Hmac<Sha256> {
        let mut mac = self.mac.clone();
        mac.update(key.as_bytes());
        mac.update(b"\n");
        mac.update(json.as_bytes());
        mac
    }
}

impl StoredSession {
    fn new(CachedSession { user, session }: CachedSession, until: DateTime<Utc>) -> Self {
        Self {
            v: VERSION,
            t: until.timestamp_micros(),
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
            sd: session.shared_device,
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
        let cached = CachedSession {
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
                shared_device: stored.sd,
            },
        };
        Ok(Self(cached, at(stored.t)?))
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
                shared_device: true,
            },
        }
    }

    const KEY: &str = "session:00ff";

    fn seal() -> EntrySeal {
        EntrySeal::new(&[7; 32])
    }

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp_micros(1_790_000_000_000_000).unwrap()
    }

    fn until() -> DateTime<Utc> {
        now() + chrono::Duration::minutes(5)
    }

    fn entry() -> String {
        seal().seal(KEY, &sample(), until()).unwrap()
    }

    #[test]
    fn round_trips_exactly() {
        let cached = sample();
        let entry = seal().seal(KEY, &cached, until()).unwrap();
        assert_eq!(seal().open(KEY, &entry, now()).unwrap(), cached);
        let (_, json) = entry.split_once('.').unwrap();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(json).unwrap()["v"],
            2
        );
    }

    #[test]
    fn an_edited_entry_is_refused() {
        let entry = entry();
        let promoted = entry.replace(r#""r":"teacher""#, r#""r":"admin""#);
        assert_ne!(promoted, entry);
        assert_eq!(seal().open(KEY, &promoted, now()), Err(Unsealed::Forged));
        for i in 0..entry.len() {
            let mut bytes = entry.clone().into_bytes();
            bytes[i] ^= 1;
            let Ok(tampered) = String::from_utf8(bytes) else {
                continue;
            };
            assert!(seal().open(KEY, &tampered, now()).is_err(), "byte {i}");
        }
    }

    #[test]
    fn an_entry_is_bound_to_its_key_its_deployment_and_its_time() {
        let entry = entry();
        assert_eq!(
            seal().open("session:00fe", &entry, now()),
            Err(Unsealed::Forged),
            "moved to another token's key"
        );
        assert_eq!(
            EntrySeal::new(&[8; 32]).open(KEY, &entry, now()),
            Err(Unsealed::Forged),
            "another deployment's key"
        );
        assert!(
            matches!(seal().open(KEY, &entry, until()), Err(Unsealed::Stale(_))),
            "replayed past its time"
        );
        assert_eq!(seal().open(KEY, "fenced", now()), Err(Unsealed::Forged));
        assert_eq!(seal().open(KEY, "", now()), Err(Unsealed::Forged));
    }

    #[test]
    fn earlier_formats_are_misses_not_forgeries() {
        let entry = entry();
        let (_, json) = entry.split_once('.').unwrap();
        assert!(matches!(
            seal().open(KEY, json, now()),
            Err(Unsealed::Stale(_))
        ));
        let mut value: serde_json::Value = serde_json::from_str(json).unwrap();
        value["v"] = 1.into();
        let old = value.to_string();
        let tag = hex::encode(seal().tag(KEY, &old).finalize().into_bytes());
        assert!(matches!(
            seal().open(KEY, &format!("{tag}.{old}"), now()),
            Err(Unsealed::Stale(_))
        ));
    }
}
