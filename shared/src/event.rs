//! The audit trail as the API shows it, and keyset pagination.

use crate::{
    ErrorCode, RevokedReason, Role,
    ids::{EventId, SessionId, UserId},
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What happened. Stored as the `snake_case` name in `session_events.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    LoginSucceeded,
    LoginFailed,
    SessionCreated,
    SessionRevoked,
    SessionExpired,
    ValidationFailed,
    PasswordChanged,
    /// An admin created the account.
    UserCreated,
    /// An admin changed the account's name or role.
    UserUpdated,
    UserDeactivated,
    UserReactivated,
    /// The user named (or renamed, or unnamed) one of their sessions.
    SessionRenamed,
    /// The user answered "yes, that was me" about a sign-in from a new device.
    NewDeviceConfirmed,
    /// The user answered "that was not me" about a sign-in from a new device; the
    /// session was signed out.
    NewDeviceDenied,
    /// A signed-in session proved its owner's password again (before a sensitive act).
    Reauthenticated,
    /// An admin changed a role's session policy.
    PolicyChanged,
}

impl EventKind {
    pub const ALL: [Self; 16] = [
        Self::LoginSucceeded,
        Self::LoginFailed,
        Self::SessionCreated,
        Self::SessionRevoked,
        Self::SessionExpired,
        Self::ValidationFailed,
        Self::PasswordChanged,
        Self::UserCreated,
        Self::UserUpdated,
        Self::UserDeactivated,
        Self::UserReactivated,
        Self::SessionRenamed,
        Self::NewDeviceConfirmed,
        Self::NewDeviceDenied,
        Self::Reauthenticated,
        Self::PolicyChanged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::LoginSucceeded => "login_succeeded",
            Self::LoginFailed => "login_failed",
            Self::SessionCreated => "session_created",
            Self::SessionRevoked => "session_revoked",
            Self::SessionExpired => "session_expired",
            Self::ValidationFailed => "validation_failed",
            Self::PasswordChanged => "password_changed",
            Self::UserCreated => "user_created",
            Self::UserUpdated => "user_updated",
            Self::UserDeactivated => "user_deactivated",
            Self::UserReactivated => "user_reactivated",
            Self::SessionRenamed => "session_renamed",
            Self::NewDeviceConfirmed => "new_device_confirmed",
            Self::NewDeviceDenied => "new_device_denied",
            Self::Reauthenticated => "reauthenticated",
            Self::PolicyChanged => "policy_changed",
        }
    }
}

crate::wire_name_impls!(EventKind);

/// One audit event. Never contains a token, a password or a cookie.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionEventView {
    #[cfg_attr(feature = "openapi", schema(value_type = uuid::Uuid))]
    pub id: EventId,
    #[serde(
        serialize_with = "crate::time::rfc3339",
        deserialize_with = "crate::time::read"
    )]
    pub at: DateTime<Utc>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<uuid::Uuid>))]
    pub user_id: Option<UserId>,
    /// The user's current email, so the trail reads without a lookup; absent when the
    /// event names no user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_email: Option<String>,
    /// The current email of whoever did it, for events done by someone (`detail.by`): an
    /// admin, or the user themself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_email: Option<String>,
    /// The current name of whoever did it, beside `actor_email`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<uuid::Uuid>))]
    pub session_id: Option<SessionId>,
    pub kind: EventKind,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    /// Where the client was, on sign-ins and new sessions (with a GeoIP database).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<crate::Location>,
    /// On sign-ins: from a device the account had not used in the last 90 days.
    #[serde(default)]
    pub new_device: bool,
    /// What a sentence about the event needs, typed: readers need not parse `detail`.
    #[serde(default)]
    pub facts: EventFacts,
    /// The event's recorded detail as stored, for clients written before `facts`; its
    /// keys vary by kind and version.
    #[cfg(feature = "raw-detail")]
    #[serde(default)]
    pub detail: serde_json::Value,
}

/// What an event's sentence needs ("Ms Martin changed the role from Admin to Student"),
/// read from its recorded detail. Each field is present only on the kinds its description
/// names, and only on events recorded since it is; ids are never in here.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventFacts {
    /// `session_revoked`: why the session ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_reason: Option<RevokedReason>,
    /// `login_failed`, `validation_failed`, `session_expired`: the refusal the client got.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refusal: Option<ErrorCode>,
    /// `login_failed` with `rate_limited`: how long the client was told to wait.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
    /// `session_created`: what opened it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opened_by: Option<OpenedBy>,
    /// `login_succeeded`, `session_created`: the browser and the system, as the session
    /// list names them (`Firefox 133.0`, `Windows 10`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    /// `user_created`: the role given; `user_updated`: the new role, when it changed;
    /// `policy_changed`: the role whose policy changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// `user_updated`: the role before, when it changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_role: Option<Role>,
    /// `user_updated`: whether the name changed. `session_renamed`: always.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub renamed: bool,
    /// With `renamed`: the name after (absent: the session's name was removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// With `renamed`: the name before (absent: the session had none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_name: Option<String>,
    /// `user_updated`: the sign-in email after and before, when it changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_email: Option<String>,
    /// `password_changed`: how many of the account's other sessions were signed out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_out: Option<u64>,
    /// `user_updated`: an admin demanded a new password (`true`) or lifted the demand
    /// (`false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub must_change_password: Option<bool>,
    /// `policy_changed`: the policy after and before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<crate::PolicySettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_policy: Option<crate::PolicySettings>,
    /// `policy_changed`: how many live sessions the change ended at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sessions_ended: Option<u64>,
}

/// What opened a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OpenedBy {
    /// A sign-in.
    Login,
    /// `POST /api/sessions/ensure` recorded a session a valid cookie carried (after an
    /// upgrade, or once the record was purged).
    Ensure,
    /// The password change that signed every session out opened this one in their place.
    PasswordChange,
}

/// One page of a listing. `next_cursor` is opaque; pass it back as `cursor` to get the
/// next page; it is absent on the last page. `total` counts every match, where given;
/// with `more_than_total`, more than `total` match (the count stops there so that it
/// stays cheap however many rows match).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub more_than_total: bool,
}

/// `?limit=&cursor=` on paginated listings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct PageQuery {
    /// Page size, 1 to 200 (default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

impl PageQuery {
    pub const DEFAULT_LIMIT: u32 = 50;
    pub const MAX_LIMIT: u32 = 200;
}

/// `GET /api/admin/events`: every filter optional; `from` inclusive, `to` exclusive.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct EventQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(value_type = Option<uuid::Uuid>))]
    pub user_id: Option<UserId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(value_type = Option<uuid::Uuid>))]
    pub session_id: Option<SessionId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<EventKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<DateTime<Utc>>,
    /// Page size, 1 to 200 (default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}
