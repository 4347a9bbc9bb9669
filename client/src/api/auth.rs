//! Signing in and out, the current session, the password.

use gloo_net::http::Method;
use hallpass_shared::{AuthResponse, LoginRequest, PasswordChange, Reauthenticate, paths};

use super::{ApiError, call, call_empty, get};

pub async fn login(request: &LoginRequest) -> Result<AuthResponse, ApiError> {
    call(Method::POST, paths::LOGIN, Some(request)).await
}

pub async fn logout() -> Result<(), ApiError> {
    call_empty(Method::POST, paths::LOGOUT, None::<&()>).await
}

pub async fn current() -> Result<AuthResponse, ApiError> {
    get(paths::CURRENT_SESSION, &[]).await
}

pub async fn change_password(change: &PasswordChange) -> Result<(), ApiError> {
    call_empty(Method::POST, paths::PASSWORD, Some(change)).await
}

/// Proves the password again, before a sensitive act.
pub async fn reauthenticate(password: String) -> Result<(), ApiError> {
    let body = Reauthenticate { password };
    call_empty(Method::POST, paths::REAUTHENTICATE, Some(&body)).await
}
