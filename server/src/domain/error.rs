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

/// Server messages that mean "retry later" rather than a bug. diesel reports only the
/// message, not the SQLSTATE: a statement or lock timeout ended the query (57014), the
/// server is shutting down, crashed or restarting (57P01-57P03), or it has no
/// connection slot left (53300). These are PostgreSQL's English messages (`lc_messages`
/// must stay English, as it is by default).
fn is_transient(message: &str) -> bool {
    const TRANSIENT: [&str; 4] = [
        "canceling statement due to",
        "terminating connection",
        "the database system is",
        "sorry, too many clients",
    ];
    TRANSIENT.iter().any(|prefix| message.starts_with(prefix))
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
            DieselError::DatabaseError(DatabaseErrorKind::Unknown, info)
                if is_transient(info.message()) =>
            {
                Self::Unavailable(error.into())
            }
            _ => Self::Internal(error.into()),
        }
    }
}

impl From<crate::db::CheckoutError> for Error {
    /// A pool that cannot hand out a connection in time, or a database refusing
    /// connections, means the database is down or saturated: unavailable, never a hang
    /// and never a refused session.
    fn from(error: crate::db::CheckoutError) -> Self {
        Self::Unavailable(anyhow::anyhow!("{error}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from_server(message: &str) -> Error {
        DieselError::DatabaseError(DatabaseErrorKind::Unknown, Box::new(message.to_owned())).into()
    }

    #[test]
    fn a_database_going_away_is_unavailable_and_anything_else_internal() {
        for message in [
            "canceling statement due to statement timeout",
            "terminating connection because of crash of another server process",
            "terminating connection due to administrator command",
            "the database system is starting up",
            "the database system is in recovery mode",
            "sorry, too many clients already",
        ] {
            assert!(
                matches!(from_server(message), Error::Unavailable(_)),
                "{message}"
            );
        }
        assert!(matches!(
            from_server("column \"x\" does not exist"),
            Error::Internal(_)
        ));
    }
}
