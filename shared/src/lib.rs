//! Wire types spoken by both sides of Hallpass: the server (`hallpass-server`) and the
//! Yew SPA (`hallpass-client`), and by any REST client.
//!
//! Nothing here performs I/O or depends on the web framework or the database, so the
//! crate builds for `wasm32-unknown-unknown` as well as for the host.

/// `Display` and `FromStr` over an enum's `ALL` list and `as_str()` wire names.
macro_rules! wire_name_impls {
    ($ty:ty) => {
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $ty {
            type Err = $crate::UnknownName;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::ALL
                    .into_iter()
                    .find(|value| value.as_str() == s)
                    .ok_or_else(|| $crate::UnknownName(s.to_owned()))
            }
        }
    };
}
pub(crate) use wire_name_impls;

pub mod auth;
pub mod error;
pub mod event;
pub mod ids;
pub mod paths;
pub mod policy;
pub mod session;
pub mod time;
pub mod user;
pub mod validate;

pub use auth::{AuthResponse, LoginRequest, NewToken, PasswordChange, Reauthenticate, SetPassword};
pub use error::{ErrorBody, ErrorCode, ErrorDetail};
pub use event::{EventFacts, EventKind, EventQuery, OpenedBy, Page, PageQuery, SessionEventView};
pub use ids::{EventId, SessionId, UserId};
pub use policy::{PolicyEffect, PolicyEffectQuery, PolicyList, PolicySettings, RolePolicyView};
pub use session::{
    DeviceKind, EnsureResponse, Location, RenameSession, RevokeOthersResponse, RevokedReason,
    SessionList, SessionView,
};
pub use user::{CreateUser, ListedUser, Role, UpdateUser, UserQuery, UserSort, UserView};

/// A string that names no variant of the enum it was parsed as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName(pub String);

impl std::fmt::Display for UnknownName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown name `{}`", self.0)
    }
}

impl std::error::Error for UnknownName {}
