//! User lifecycle rules shared by the CLI (`user add`, `demo`) and the API.

use chrono::Utc;
use diesel_async::AsyncPgConnection;
use hallpass_shared::{Role, validate};
use secrecy::{ExposeSecret as _, SecretString};

use crate::{
    auth::password,
    db::{
        stored::Stored,
        users::{NewUser, UserRow},
    },
    error::ApiError,
};

/// A request to create an account, before validation.
pub struct NewAccount {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password: SecretString,
}

impl NewAccount {
    /// Field rules from `hallpass_shared::validate`, in the words the API answers with.
    pub fn validate(&self) -> Result<(), ApiError> {
        let field = |name: &str, result: Result<(), validate::Invalid>| {
            result.map_err(|invalid| ApiError::Validation(format!("{name}: {invalid}")))
        };
        field("email", validate::email(&self.email))?;
        field("name", validate::name(&self.name))?;
        field(
            "password",
            validate::password(self.password.expose_secret()),
        )
    }
}

/// Creates an account; 409 when the email is taken (case-insensitively).
pub async fn create(
    conn: &mut AsyncPgConnection,
    account: NewAccount,
) -> Result<UserRow, ApiError> {
    account.validate()?;
    let email = validate::normalize_email(&account.email);
    let password_hash = password::hash(account.password).await?;
    NewUser {
        email: &email,
        name: account.name.trim(),
        role: Stored(account.role),
        password_hash: &password_hash,
    }
    .insert(conn)
    .await
    .map_err(|error| match ApiError::from(error) {
        ApiError::Conflict(_) => {
            ApiError::Conflict(format!("a user with email {email} already exists"))
        }
        other => other,
    })
}

/// Creates the account, or resets an existing one with that email to these values.
pub async fn create_or_reset(
    conn: &mut AsyncPgConnection,
    account: NewAccount,
) -> Result<UserRow, ApiError> {
    account.validate()?;
    let email = validate::normalize_email(&account.email);
    match UserRow::find_by_email(conn, &email).await? {
        Some(existing) => {
            let password_hash = password::hash(account.password).await?;
            Ok(UserRow::reset(
                conn,
                existing.id,
                account.name.trim(),
                account.role,
                &password_hash,
                Utc::now(),
            )
            .await?)
        }
        None => create(conn, account).await,
    }
}
