//! `domain::Error`: why a rule refused, in the domain's own words. The HTTP edge turns it
//! into a status and a JSON body in one place (`crate::error`); nothing here knows HTTP.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::sessions::Rejection;

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
    #[error("not found")]
    NotFound,
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
    /// A dependency (the database) is unreachable or saturated: retry later.
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

impl From<DieselError> for Error {
    /// What a query failure means to the caller: a missing row, a taken unique value, a
    /// database that went away under the query (retry later), or a bug.
    fn from(error: DieselError) -> Self {
        match &error {
            DieselError::NotFound => Self::NotFound,
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                Self::Conflict("already exists".into())
            }
            DieselError::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                _,
            )
            | DieselError::BrokenTransactionManager => Self::Unavailable(error.into()),
            // `statement_timeout` or `lock_timeout` ended the query (SQLSTATE 57014, which
            // diesel reports only by its message): the database is overloaded or a lock is
            // held, so retry later.
            DieselError::DatabaseError(DatabaseErrorKind::Unknown, info)
                if info.message().starts_with("canceling statement due to") =>
            {
                Self::Unavailable(error.into())
            }
            _ => Self::Internal(error.into()),
        }
    }
}

impl From<bb8::RunError<diesel_async::pooled_connection::PoolError>> for Error {
    /// A pool that cannot hand out a connection in time means the database is down or
    /// saturated: unavailable, never a hang and never a refused session.
    fn from(error: bb8::RunError<diesel_async::pooled_connection::PoolError>) -> Self {
        Self::Unavailable(anyhow::anyhow!("database pool: {error}"))
    }
}
