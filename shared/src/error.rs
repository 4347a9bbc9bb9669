//! The error envelope every non-2xx JSON response carries:
//! `{"error": {"code": "...", "message": "...", "request_id": "..."}}`.

use serde::{Deserialize, Serialize};

/// Machine-readable error codes; serialised in `snake_case`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Unknown email or wrong password (deliberately indistinguishable).
    InvalidCredentials,
    /// Too many failed logins; see `Retry-After`.
    RateLimited,
    /// No session cookie, an unreadable one, or no record behind it.
    SessionInvalid,
    SessionExpired,
    SessionRevoked,
    UserInactive,
    /// Authenticated, but the role does not allow this.
    Forbidden,
    /// An admin asked the user to choose a new password first (`POST /api/auth/password`).
    PasswordChangeRequired,
    /// A sensitive act needs the password proved within `REAUTH_WINDOW`
    /// (`POST /api/auth/reauthenticate`), then the same request again.
    ReauthenticationRequired,
    /// A state-changing request from another site.
    Csrf,
    NotFound,
    MethodNotAllowed,
    Conflict,
    /// The change would leave no active admin.
    LastAdmin,
    /// The request was understood but a field is wrong.
    Validation,
    /// The body could not be read as the expected JSON.
    BadRequest,
    PayloadTooLarge,
    UnsupportedMediaType,
    /// A dependency (the database) is unreachable or saturated; retry later.
    Unavailable,
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidCredentials => "invalid_credentials",
            Self::RateLimited => "rate_limited",
            Self::SessionInvalid => "session_invalid",
            Self::SessionExpired => "session_expired",
            Self::SessionRevoked => "session_revoked",
            Self::UserInactive => "user_inactive",
            Self::Forbidden => "forbidden",
            Self::PasswordChangeRequired => "password_change_required",
            Self::ReauthenticationRequired => "reauthentication_required",
            Self::Csrf => "csrf",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Conflict => "conflict",
            Self::LastAdmin => "last_admin",
            Self::Validation => "validation",
            Self::BadRequest => "bad_request",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::Unavailable => "unavailable",
            Self::Internal => "internal",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    pub code: ErrorCode,
    pub message: String,
    /// The server's request id, so an unexpected error can be traced in the logs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// With `session_revoked`: why the session was ended, when the server knows (so the
    /// browser it was ended on can say so).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<crate::RevokedReason>,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            error: ErrorDetail {
                code,
                message: message.into(),
                request_id: None,
                reason: None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialise_as_their_wire_names() {
        for code in [
            ErrorCode::InvalidCredentials,
            ErrorCode::SessionRevoked,
            ErrorCode::UnsupportedMediaType,
            ErrorCode::Csrf,
        ] {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }
}
