//! A user account, and the questions asked about users.

use chrono::{DateTime, Utc};
use hallpass_shared::{Role, UserId, UserView};

/// An account. Its `Debug` leaves the password hash out.
#[derive(Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    /// Normalized (trimmed, lower-case).
    pub email: String,
    pub name: String,
    pub role: Role,
    /// argon2id, PHC string.
    pub password_hash: String,
    pub is_active: bool,
    /// Every session created before this instant is dead ("sign out everywhere").
    pub sessions_valid_after: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_sign_in_at: Option<DateTime<Utc>>,
    /// An admin demands a new password at the next sign-in.
    pub must_change_password: bool,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("role", &self.role)
            .field("is_active", &self.is_active)
            .finish_non_exhaustive()
    }
}

impl From<&User> for UserView {
    fn from(user: &User) -> Self {
        Self {
            id: user.id,
            email: user.email.clone(),
            name: user.name.clone(),
            role: user.role,
            is_active: user.is_active,
            created_at: user.created_at,
            must_change_password: user.must_change_password,
        }
    }
}

/// What creating an account records.
#[derive(Clone, PartialEq, Eq)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
}

/// Who chose a password: the user themself lifts an admin's demand for a new one; an
/// admin's choice leaves it as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChosenBy {
    User,
    Admin,
}

/// An admin's change to a user; `None` leaves the field alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserChanges {
    pub name: Option<String>,
    /// Normalized (see `hallpass_shared::validate::normalize_email`).
    pub email: Option<String>,
    pub role: Option<Role>,
    pub is_active: Option<bool>,
    pub must_change_password: Option<bool>,
}

/// Which users a listing shows; `None` fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFilter {
    /// Part of the email or the name, case-insensitive.
    pub search: Option<String>,
    pub role: Option<Role>,
    pub active: Option<bool>,
}

/// A user's position in a listing's order: the sort key's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortKey {
    Email(String),
    Name(String),
    /// `None`: never signed in (such users come last).
    LastSignIn(Option<DateTime<Utc>>),
}

impl SortKey {
    /// `user`'s value in the order `sort`.
    pub fn of(user: &User, sort: hallpass_shared::UserSort) -> Self {
        use hallpass_shared::UserSort;
        match sort {
            UserSort::Email => Self::Email(user.email.clone()),
            UserSort::Name => Self::Name(user.name.clone()),
            UserSort::LastSignIn => Self::LastSignIn(user.last_sign_in_at),
        }
    }
}

/// Where a listing resumes: strictly after this user in the listing's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserCursor {
    pub after: SortKey,
    pub id: UserId,
}
