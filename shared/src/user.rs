//! Users as the API shows them.

use crate::ids::UserId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Student,
    Teacher,
    Admin,
}

impl Role {
    pub const ALL: [Self; 3] = [Self::Student, Self::Teacher, Self::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Student => "student",
            Self::Teacher => "teacher",
            Self::Admin => "admin",
        }
    }
}

crate::wire_name_impls!(Role);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserView {
    #[cfg_attr(feature = "openapi", schema(value_type = uuid::Uuid))]
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub is_active: bool,
    #[serde(
        serialize_with = "crate::time::rfc3339",
        deserialize_with = "crate::time::read"
    )]
    pub created_at: DateTime<Utc>,
    /// An admin asked the user to choose a new password: until they do, their sessions
    /// may only change the password, read the session, and sign out (403
    /// `password_change_required` otherwise).
    #[serde(default)]
    pub must_change_password: bool,
}

/// A user as the admin's users table lists them: the account's fields (those of
/// [`UserView`], side by side rather than nested, as earlier versions listed them), when
/// they last signed in, and how many sessions they have open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListedUser {
    #[cfg_attr(feature = "openapi", schema(value_type = uuid::Uuid))]
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub is_active: bool,
    #[serde(
        serialize_with = "crate::time::rfc3339",
        deserialize_with = "crate::time::read"
    )]
    pub created_at: DateTime<Utc>,
    /// See [`UserView::must_change_password`].
    #[serde(default)]
    pub must_change_password: bool,
    /// The last sign-in; absent for a user who never signed in (or not since the
    /// audit trail's retention, for sign-ins before this field existed).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::time::read_option"
    )]
    pub last_sign_in_at: Option<DateTime<Utc>>,
    /// Sessions neither signed out nor expired.
    pub active_sessions: u64,
}

impl ListedUser {
    pub fn new(
        user: UserView,
        last_sign_in_at: Option<DateTime<Utc>>,
        active_sessions: u64,
    ) -> Self {
        let UserView {
            id,
            email,
            name,
            role,
            is_active,
            created_at,
            must_change_password,
        } = user;
        Self {
            id,
            email,
            name,
            role,
            is_active,
            created_at,
            must_change_password,
            last_sign_in_at,
            active_sessions,
        }
    }

    /// The account without the listing's figures.
    pub fn view(&self) -> UserView {
        UserView {
            id: self.id,
            email: self.email.clone(),
            name: self.name.clone(),
            role: self.role,
            is_active: self.is_active,
            created_at: self.created_at,
            must_change_password: self.must_change_password,
        }
    }
}

/// `POST /api/admin/users`. `Debug` never prints the password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateUser {
    #[cfg_attr(feature = "openapi", schema(format = "email", max_length = 254))]
    pub email: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub name: String,
    pub role: Role,
    #[cfg_attr(feature = "openapi", schema(min_length = 10, max_length = 256))]
    pub password: String,
}

impl std::fmt::Debug for CreateUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateUser")
            .field("email", &self.email)
            .field("name", &self.name)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// `PATCH /api/admin/users/{id}`: only the fields present change.
/// `is_active: false` deactivates the user and ends every session of theirs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A new sign-in email; 409 `conflict` when another account has it.
    #[cfg_attr(feature = "openapi", schema(format = "email", max_length = 254))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_active: Option<bool>,
    /// `true`: the user must choose a new password before doing anything else (their
    /// open sessions too, from their next request); `false` lifts it. Changing their
    /// password lifts it as well.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub must_change_password: Option<bool>,
}

/// `GET /api/admin/users?q=&role=&active=&sort=&limit=&cursor=`: `q` matches email or
/// name; every filter is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct UserQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// `true`: only users who may sign in; `false`: only deactivated ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// The order (default `email`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<UserSort>,
    /// Page size, 1 to 200 (default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// How the users table is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UserSort {
    /// By email, A to Z.
    #[default]
    Email,
    /// By name, A to Z.
    Name,
    /// Most recent sign-in first; users who never signed in last.
    LastSignIn,
}

impl UserSort {
    pub const ALL: [Self; 3] = [Self::Email, Self::Name, Self::LastSignIn];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Name => "name",
            Self::LastSignIn => "last_sign_in",
        }
    }
}

crate::wire_name_impls!(UserSort);
