//! [`Error`]: why a use case refused, in the domain's own words. The server's HTTP edge
//! turns it into a status and a JSON body in one place; the store's adapter turns its
//! driver's failures into `Unavailable`, `Conflict`, `NotFound` or `Internal`.

use crate::rules::Rejection;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The presented session is not (or no longer) valid.
    #[error("session refused: {0:?}")]
    Rejected(Rejection),
    /// Unknown email or wrong password, indistinguishable on purpose.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// The right password for a deactivated account.
    #[error("account is deactivated")]
    AccountInactive,
    /// A signed-in user gave the wrong current password.
    #[error("wrong current password")]
    WrongPassword,
    /// A sensitive act, and the session last proved its owner's password longer ago than
    /// the re-authentication window.
    #[error("re-authentication required")]
    ReauthenticationRequired,
    #[error("not found")]
    NotFound,
    /// Nobody in the caller's position may do this, whatever their role; the message
    /// says why (a new-device session answering about itself).
    #[error("not allowed: {0}")]
    NotAllowed(&'static str),
    #[error("conflict: {0}")]
    Conflict(String),
    /// The change would leave no active admin.
    #[error("no active admin would remain")]
    LastAdmin,
    /// A value breaks a rule; the message names the field.
    #[error("invalid input: {0}")]
    Invalid(String),
    /// A pagination cursor issued for another query, or not issued at all.
    #[error("cursor does not belong to this query")]
    ForeignCursor,
    #[error("rate limited for {retry_after_secs}s")]
    RateLimited { retry_after_secs: u64 },
    /// A dependency (the store) is unreachable or saturated: retry later.
    #[error("unavailable: {0:#}")]
    Unavailable(#[source] anyhow::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<Rejection> for Error {
    fn from(rejection: Rejection) -> Self {
        Self::Rejected(rejection)
    }
}
