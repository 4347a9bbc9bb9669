//! What the session cache holds: a [`CachedSession`] (enough to answer
//! `GET /api/auth/session` without the store, never the token), shared as a
//! [`HeldSession`]. A hit in this instance's memory hands out a reference instead of a
//! copy, and the session's JSON answer is written once per cached copy instead of once
//! per request: on the hot path of `GET /api/auth/session` those two were most of the
//! cost of a hit.

use std::{
    ops::Deref,
    sync::{Arc, OnceLock},
};

use bytes::Bytes;
use hallpass_shared::{SessionView, UserView};
use serde::Serialize;

/// A session the store vouched for, as the API shows it to its holder.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedSession {
    pub user: UserView,
    pub session: SessionView,
}

/// An immutable cached session, shared through an [`Arc`]: nothing can change it after
/// its JSON was written, so the JSON always tells what it holds. A changed session is a
/// new `HeldSession`.
#[derive(Debug)]
pub struct HeldSession {
    cached: CachedSession,
    json: OnceLock<Bytes>,
}

/// The shape of [`AuthResponse`](hallpass_shared::AuthResponse), borrowed.
#[derive(Serialize)]
struct AuthResponseRef<'a> {
    user: &'a UserView,
    session: &'a SessionView,
}

impl HeldSession {
    pub fn new(cached: CachedSession) -> Arc<Self> {
        Arc::new(Self {
            cached,
            json: OnceLock::new(),
        })
    }

    /// The session as the JSON of an [`AuthResponse`](hallpass_shared::AuthResponse),
    /// written the first time it is asked for.
    pub fn auth_response_json(&self) -> Bytes {
        self.json
            .get_or_init(|| {
                let answer = AuthResponseRef {
                    user: &self.cached.user,
                    session: &self.cached.session,
                };
                // Plain structs of strings, numbers and timestamps: serializing cannot fail.
                serde_json::to_vec(&answer).unwrap_or_default().into()
            })
            .clone()
    }
}

impl Deref for HeldSession {
    type Target = CachedSession;

    fn deref(&self) -> &CachedSession {
        &self.cached
    }
}

impl PartialEq for HeldSession {
    /// Equal when they hold the same session, whether or not either wrote its JSON yet.
    fn eq(&self, other: &Self) -> bool {
        self.cached == other.cached
    }
}

#[cfg(test)]
mod tests {
    use hallpass_shared::AuthResponse;

    use super::*;
    use crate::testing::sample_cached;

    #[test]
    fn the_json_is_an_auth_response_of_the_session() {
        let held = HeldSession::new(sample_cached());
        let answer: AuthResponse = serde_json::from_slice(&held.auth_response_json()).unwrap();
        assert_eq!(answer.user, held.user);
        assert_eq!(answer.session, held.session);
        let owned = AuthResponse {
            user: held.user.clone(),
            session: held.session.clone(),
            token: None,
        };
        assert_eq!(
            held.auth_response_json(),
            Bytes::from(serde_json::to_vec(&owned).unwrap())
        );
    }
}
