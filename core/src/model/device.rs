//! How a device an account signed in with comes to be known (see
//! [`devices`](crate::sessions::devices)).

use chrono::{DateTime, Utc};
use hallpass_shared::SessionId;

/// When a sign-in's devices start to count as known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Learning {
    /// At once: the sign-in was recognised already, or is the account's first.
    Now,
    /// From `from`, unless the owner answers about `session` first: "yes" learns them
    /// at once, "no" forgets them.
    Pending {
        session: SessionId,
        from: DateTime<Utc>,
    },
}
