//! A login session as recorded. Rows are never deleted when revoked: the tombstone keeps
//! a revoked token from ever being recorded again.

use chrono::{DateTime, Utc};
use hallpass_shared::{DeviceKind, Location, RevokedReason, SessionId, SessionView, UserId};

use crate::token::TokenHash;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: SessionId,
    pub user_id: UserId,
    pub token_hash: TokenHash,
    pub ip_address: String,
    pub user_agent: String,
    pub device: DeviceKind,
    pub browser: String,
    pub os: String,
    pub is_active: bool,
    pub created: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_reason: Option<RevokedReason>,
    /// Where it was opened, approximately.
    pub location: Option<Location>,
    /// Its owner's name for it ("School laptop").
    pub name: Option<String>,
    /// A sign-in from a device the account had not used lately.
    pub new_device: bool,
    /// When its owner answered "was this you?".
    pub new_device_answered_at: Option<DateTime<Utc>>,
    /// Opened on a shared computer (see [`LoginRequest::shared_device`](hallpass_shared::LoginRequest)).
    pub shared_device: bool,
    /// When its owner last proved the password in it: its opening (every session opens
    /// at a sign-in or a password change, or records the cookie a sign-in minted), or
    /// its latest re-authentication.
    pub authenticated_at: DateTime<Utc>,
}

impl Session {
    /// The session as the API shows it to the holder of session `current`.
    pub fn view(&self, current: SessionId) -> SessionView {
        SessionView {
            id: self.id,
            ip_address: self.ip_address.clone(),
            user_agent: self.user_agent.clone(),
            device: self.device,
            browser: self.browser.clone(),
            os: self.os.clone(),
            created: self.created,
            last_seen_at: self.last_seen_at,
            expires_at: self.expires_at,
            is_current: self.id == current,
            name: self.name.clone(),
            location: self.location.clone(),
            new_device: self.new_device,
            shared_device: self.shared_device,
        }
    }

    /// The metrics label of its revocation's reason.
    pub fn revoked_label(&self) -> &'static str {
        self.revoked_reason.map_or("unknown", RevokedReason::as_str)
    }
}

/// What opening a session records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub user_id: UserId,
    pub token_hash: TokenHash,
    pub ip_address: String,
    pub user_agent: String,
    pub device: DeviceKind,
    pub browser: String,
    pub os: String,
    pub created: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub location: Option<Location>,
    pub new_device: bool,
    pub shared_device: bool,
}
