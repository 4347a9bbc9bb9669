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
}

impl SessionClaim {
    /// A fresh claim with a new token.
    pub fn mint(user_id: UserId, now: DateTime<Utc>, lifetime: TimeDelta) -> anyhow::Result<Self> {
        Ok(Self {
            token: SessionToken::generate()?,
            user_id,
            issued_at: now,
            lifetime: Some(lifetime),
        })
    }
}
