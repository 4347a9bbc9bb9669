//! [`SessionClaim`]: what a session cookie proves once the edge has decrypted it.

use chrono::{DateTime, Utc};
use hallpass_shared::UserId;

use crate::crypto::token::SessionToken;

/// The server minted `token` for `user_id` at `issued_at`. Only the server can mint one
/// (the cookie is encrypted and authenticated), so `ensure` may record a session for it.
pub struct SessionClaim {
    pub token: SessionToken,
    pub user_id: UserId,
    pub issued_at: DateTime<Utc>,
}
