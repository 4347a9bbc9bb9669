//! Sessions as the API shows them.

use crate::ids::SessionId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One login session. Never carries the token or its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionView {
    #[cfg_attr(feature = "openapi", schema(value_type = uuid::Uuid))]
    pub id: SessionId,
    pub ip_address: String,
    pub user_agent: String,
    pub device: DeviceKind,
    pub browser: String,
    pub os: String,
    #[serde(
        serialize_with = "crate::time::rfc3339",
        deserialize_with = "crate::time::read"
    )]
    pub created: DateTime<Utc>,
    #[serde(
        serialize_with = "crate::time::rfc3339",
        deserialize_with = "crate::time::read"
    )]
    pub last_seen_at: DateTime<Utc>,
    #[serde(
        serialize_with = "crate::time::rfc3339",
        deserialize_with = "crate::time::read"
    )]
    pub expires_at: DateTime<Utc>,
    /// True for the session of the request that asked.
    pub is_current: bool,
    /// The name its owner gave it ("School laptop"), at most 40 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Where it was opened, when the server has a GeoIP database and knew the address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// A sign-in from a device (kind, browser, OS and country, or device cookie) the
    /// account had not signed in from in the last 90 days.
    #[serde(default)]
    pub new_device: bool,
    /// Signed in as on a shared computer: a browser-session cookie and a short idle
    /// timeout.
    #[serde(default)]
    pub shared_device: bool,
}

/// Where a client was, as far as the server's GeoIP database tells (approximate: it
/// locates the address, often the school's or the provider's network, not the person).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Location {
    /// ISO 3166-1 alpha-2 code (`FR`); readers name it in their own language.
    pub country: String,
    /// The region or state, in English, when the database has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The city, in English, when the database has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
}

/// `PATCH /api/sessions/{id}`: names a session; `null` or a blank name removes the name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RenameSession {
    pub name: Option<String>,
}

/// The kind of device a session was opened from, as woothee classifies its user agent.
/// The wire and stored names are woothee's (`pc`, `smartphone`, …); any other name reads
/// as `Unknown`, so a newer classifier never breaks an older reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DeviceKind {
    /// A desktop or laptop computer.
    #[serde(rename = "pc")]
    Computer,
    #[serde(rename = "smartphone")]
    Smartphone,
    /// A feature phone.
    #[serde(rename = "mobilephone")]
    MobilePhone,
    /// A games console, a TV or another appliance.
    #[serde(rename = "appliance")]
    Appliance,
    #[serde(rename = "crawler")]
    Crawler,
    #[serde(rename = "misc")]
    Misc,
    #[serde(rename = "Unknown", other)]
    Unknown,
}

impl DeviceKind {
    pub const ALL: [Self; 7] = [
        Self::Computer,
        Self::Smartphone,
        Self::MobilePhone,
        Self::Appliance,
        Self::Crawler,
        Self::Misc,
        Self::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Computer => "pc",
            Self::Smartphone => "smartphone",
            Self::MobilePhone => "mobilephone",
            Self::Appliance => "appliance",
            Self::Crawler => "crawler",
            Self::Misc => "misc",
            Self::Unknown => "Unknown",
        }
    }

    /// The kind a stored or classifier name stands for; `Unknown` for any other name.
    pub fn from_name(name: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name)
            .unwrap_or(Self::Unknown)
    }

    /// A phone of either kind.
    pub fn is_phone(self) -> bool {
        matches!(self, Self::Smartphone | Self::MobilePhone)
    }
}

impl std::fmt::Display for DeviceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for DeviceKind {
    type Err = std::convert::Infallible;

    /// Never fails: unknown names are [`DeviceKind::Unknown`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::from_name(s))
    }
}

/// `GET /api/sessions`: the caller's active sessions, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionList {
    pub sessions: Vec<SessionView>,
}

/// `POST /api/sessions/ensure`: exactly one of `exists` / `created` is present (and true).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnsureResponse {
    #[serde(default, skip_serializing_if = "is_false")]
    pub exists: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub created: bool,
    pub session: SessionView,
}

fn is_false(value: &bool) -> bool {
    !value
}

impl EnsureResponse {
    pub fn exists(session: SessionView) -> Self {
        Self {
            exists: true,
            created: false,
            session,
        }
    }

    pub fn created(session: SessionView) -> Self {
        Self {
            exists: false,
            created: true,
            session,
        }
    }
}

/// `POST /api/sessions/revoke-others`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RevokeOthersResponse {
    pub revoked: u64,
}

/// Why a session stopped being active.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RevokedReason {
    /// The user logged out (or logged in again over it in the same browser).
    Logout,
    /// The user revoked it from their session list.
    User,
    /// The user signed out all their other sessions.
    Others,
    /// An admin revoked it.
    Admin,
    /// The user changed their password from another session.
    PasswordChange,
    /// The user was deactivated.
    UserDeactivated,
    /// A newer login pushed it over `MAX_SESSIONS_PER_USER`.
    SessionLimit,
}

impl RevokedReason {
    pub const ALL: [Self; 7] = [
        Self::Logout,
        Self::User,
        Self::Others,
        Self::Admin,
        Self::PasswordChange,
        Self::UserDeactivated,
        Self::SessionLimit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Logout => "logout",
            Self::User => "user",
            Self::Others => "others",
            Self::Admin => "admin",
            Self::PasswordChange => "password_change",
            Self::UserDeactivated => "user_deactivated",
            Self::SessionLimit => "session_limit",
        }
    }
}

crate::wire_name_impls!(RevokedReason);

#[cfg(test)]
mod tests {
    use super::*;

    fn view() -> SessionView {
        let now = Utc::now();
        SessionView {
            id: SessionId(uuid::Uuid::nil()),
            ip_address: "127.0.0.1".into(),
            user_agent: "curl/8".into(),
            device: DeviceKind::Unknown,
            browser: "Unknown".into(),
            os: "Unknown".into(),
            created: now,
            last_seen_at: now,
            expires_at: now,
            is_current: true,
            name: None,
            location: None,
            new_device: false,
            shared_device: false,
        }
    }

    #[test]
    fn ensure_response_names_only_what_happened() {
        let exists = serde_json::to_value(EnsureResponse::exists(view())).unwrap();
        assert_eq!(exists["exists"], true);
        assert!(exists.get("created").is_none());
        let created = serde_json::to_value(EnsureResponse::created(view())).unwrap();
        assert_eq!(created["created"], true);
        assert!(created.get("exists").is_none());
    }

    #[test]
    fn device_kinds_keep_their_names_and_read_anything() {
        for kind in DeviceKind::ALL {
            assert_eq!(DeviceKind::from_name(kind.as_str()), kind);
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{kind}\""));
            assert_eq!(serde_json::from_str::<DeviceKind>(&json).unwrap(), kind);
        }
        assert_eq!(DeviceKind::from_name("tablet"), DeviceKind::Unknown);
        assert_eq!(
            serde_json::from_str::<DeviceKind>("\"tablet\"").unwrap(),
            DeviceKind::Unknown
        );
    }

    #[test]
    fn reasons_round_trip_through_their_wire_names() {
        for reason in RevokedReason::ALL {
            assert_eq!(reason.as_str().parse::<RevokedReason>(), Ok(reason));
        }
        assert!("nope".parse::<RevokedReason>().is_err());
    }
}
