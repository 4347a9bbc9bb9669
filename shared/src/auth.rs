//! Login, the current-session answer, and password change.

use serde::{Deserialize, Serialize};

use crate::{SessionView, UserView};

/// `POST /api/auth/login`. `Debug` never prints the password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub email: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub password: String,
    /// `true` (native apps, REST clients): the answer carries the session's bearer token
    /// (`hp_…`, for `Authorization: Bearer`) and no cookie is set.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub token: bool,
    /// `true` on a shared computer (a lab, a library): the cookie ends with the browser,
    /// no device cookie is left, the device is not learned, and the session ends after
    /// `SHARED_DEVICE_IDLE` unused.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub shared_device: bool,
}

impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest")
            .field("email", &self.email)
            .field("password", &"[redacted]")
            .finish()
    }
}

/// Answer of login and of `GET /api/auth/session`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthResponse {
    pub user: UserView,
    pub session: SessionView,
    /// The session's bearer token, only in the answer of a login that asked for it
    /// (`"token": true`); never again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

/// Answer of a password change made with a bearer token: the new session's token (the
/// old one is refused from now on).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewToken {
    pub token: String,
}

impl std::fmt::Debug for NewToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewToken { .. }")
    }
}

/// `POST /api/auth/password`. `Debug` never prints either password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordChange {
    pub current_password: String,
    /// 10 to 256 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 10, max_length = 256))]
    pub new_password: String,
}

impl std::fmt::Debug for PasswordChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordChange { .. }")
    }
}

/// `POST /api/auth/reauthenticate`: the signed-in user's password, proved again before a
/// sensitive act. `Debug` never prints it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reauthenticate {
    pub password: String,
}

impl std::fmt::Debug for Reauthenticate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Reauthenticate { .. }")
    }
}

/// `POST /api/admin/users/{id}/password`: an admin gives a user a new password (one the
/// user forgot, or one that leaked). `Debug` never prints it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetPassword {
    /// 10 to 256 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 10, max_length = 256))]
    pub password: String,
}

impl std::fmt::Debug for SetPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SetPassword { .. }")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_contains_passwords() {
        let login = LoginRequest {
            email: "a@b.c".into(),
            password: "hunter2-secret".into(),
            token: false,
            shared_device: false,
        };
        let set = SetPassword {
            password: "hunter2-secret".into(),
        };
        assert!(!format!("{set:?}").contains("hunter2"));
        let change = PasswordChange {
            current_password: "hunter2-secret".into(),
            new_password: "hunter3-secret".into(),
        };
        assert!(!format!("{login:?}").contains("hunter2"));
        assert!(!format!("{change:?}").contains("hunter"));
    }
}
