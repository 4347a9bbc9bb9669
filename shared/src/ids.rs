//! Typed ids: a [`UserId`] cannot be passed where a [`SessionId`] is meant. Both are UUIDs
//! on the wire (serde-transparent) and in the database.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh random id (tests and fixtures; the database assigns real ones).
            pub fn random() -> Self {
                Self(Uuid::new_v4())
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }
    };
}

uuid_id!(
    /// The public id of an account (`users.id`).
    UserId
);
uuid_id!(
    /// The public id of a session (`user_sessions.id`); never the token.
    SessionId
);
uuid_id!(
    /// The id of an audit event (`session_events.id`).
    EventId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_plain_uuids_on_the_wire() {
        let id = UserId(Uuid::nil());
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"00000000-0000-0000-0000-000000000000\"");
        assert_eq!(serde_json::from_str::<UserId>(&json).unwrap(), id);
        assert_eq!(id.to_string().parse::<UserId>().unwrap(), id);
        assert!("not-a-uuid".parse::<SessionId>().is_err());
    }
}
