//! The URLs clients build: the SPA's services, REST clients, the tests. The server
//! declares each route once, on its handler (`#[utoipa::path]`); a server test checks
//! that every URL here is one of its routes.

pub const LOGIN: &str = "/api/auth/login";
pub const LOGOUT: &str = "/api/auth/logout";
pub const CURRENT_SESSION: &str = "/api/auth/session";
pub const PASSWORD: &str = "/api/auth/password";
pub const REAUTHENTICATE: &str = "/api/auth/reauthenticate";
/// Forward-auth: what a proxy in front of another app asks (`?role=`, `?redirect=true`).
pub const VERIFY: &str = "/api/auth/verify";
/// Where the sign-in page sends a browser back to the app it came from (`?to=`).
pub const RETURN: &str = "/api/auth/return";

pub const SESSIONS: &str = "/api/sessions";
pub const ENSURE_SESSION: &str = "/api/sessions/ensure";
pub const REVOKE_OTHER_SESSIONS: &str = "/api/sessions/revoke-others";
pub const OWN_EVENTS: &str = "/api/sessions/events";
/// The caller's sign-ins from new devices awaiting "was this you?".
pub const NEW_DEVICE_SESSIONS: &str = "/api/sessions/new-devices";

pub const ADMIN_USERS: &str = "/api/admin/users";
pub const ADMIN_EVENTS: &str = "/api/admin/events";
pub const ADMIN_POLICIES: &str = "/api/admin/policies";

pub const HEALTHZ: &str = "/healthz";
pub const READYZ: &str = "/readyz";
pub const METRICS: &str = "/metrics";
pub const OPENAPI: &str = "/api/openapi.json";

/// `DELETE` (revoke) and `PATCH` (rename) target for one of the caller's own sessions.
pub fn session(id: crate::SessionId) -> String {
    format!("{SESSIONS}/{id}")
}

/// "Yes, that was me" about a new-device session.
pub fn confirm_session(id: crate::SessionId) -> String {
    format!("{SESSIONS}/{id}/confirm")
}

/// "No, sign it out" about a new-device session.
pub fn deny_session(id: crate::SessionId) -> String {
    format!("{SESSIONS}/{id}/deny")
}

pub fn admin_user(id: crate::UserId) -> String {
    format!("{ADMIN_USERS}/{id}")
}

pub fn admin_user_sessions(id: crate::UserId) -> String {
    format!("{ADMIN_USERS}/{id}/sessions")
}

pub fn admin_revoke_user_sessions(id: crate::UserId) -> String {
    format!("{ADMIN_USERS}/{id}/revoke-sessions")
}

pub fn admin_user_password(id: crate::UserId) -> String {
    format!("{ADMIN_USERS}/{id}/password")
}

pub fn admin_session(id: crate::SessionId) -> String {
    format!("/api/admin/sessions/{id}")
}

/// `PUT` target of a role's policy.
pub fn admin_policy(role: crate::Role) -> String {
    format!("{ADMIN_POLICIES}/{role}")
}

/// What saving a role's policy would do (`?lifetime_seconds=&idle_timeout_seconds=&max_sessions=`).
pub fn admin_policy_effect(role: crate::Role) -> String {
    format!("{ADMIN_POLICIES}/{role}/effect")
}
