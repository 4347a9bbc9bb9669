//! [`SessionClaim`]: what a session cookie proves once the edge has opened it.

use chrono::{DateTime, TimeDelta, Utc};
use hallpass_shared::UserId;

use crate::token::SessionToken;

/// The server minted `token` for `user_id` at `issued_at`, for at most `lifetime`. Only
/// the server can mint one (the cookie is sealed with a key only it holds), so `ensure`
/// may record a session for it.
#[derive(Clone)]
pub struct SessionClaim {
    pub token: SessionToken,
    pub user_id: UserId,
    pub issued_at: DateTime<Utc>,
    /// The `SESSION_TTL` in force when the cookie was minted. `None` for cookies minted
    /// before it was recorded, or opened with the retired database key: such a cookie
    /// proves a session that is recorded, but cannot get a record made for it.
    pub lifetime: Option<TimeDelta>,
    /// Minted for a shared computer: the cookie ends with the browser, and its session
    /// idles out after `SHARED_DEVICE_IDLE`.
    pub shared_device: bool,
}

impl SessionClaim {
    /// A fresh claim with a new token.
    pub fn mint(user_id: UserId, now: DateTime<Utc>, lifetime: TimeDelta) -> anyhow::Result<Self> {
        Ok(Self {
            token: SessionToken::generate()?,
            user_id,
            issued_at: now,
            lifetime: Some(lifetime),
            shared_device: false,
        })
    }
}

/// What a request presents as its session: a session cookie's claim, or a bearer token
/// (`Authorization: Bearer hp_…`, for native apps and REST clients). Both carry a session
/// token; only the cookie also proves who it was minted for, and when.
#[derive(Clone)]
pub enum Credential {
    Cookie(SessionClaim),
    Bearer(SessionToken),
}

impl Credential {
    pub fn token(&self) -> &SessionToken {
        match self {
            Self::Cookie(claim) => &claim.token,
            Self::Bearer(token) => token,
        }
    }

    /// The user a cookie was minted for; a bearer token names nobody but its session.
    pub fn user_id(&self) -> Option<UserId> {
        match self {
            Self::Cookie(claim) => Some(claim.user_id),
            Self::Bearer(_) => None,
        }
    }

    /// The cookie's claim, which alone may get a session recorded (`ensure`).
    pub fn claim(&self) -> Option<&SessionClaim> {
        match self {
            Self::Cookie(claim) => Some(claim),
            Self::Bearer(_) => None,
        }
    }
}

impl From<SessionClaim> for Credential {
    fn from(claim: SessionClaim) -> Self {
        Self::Cookie(claim)
    }
}
