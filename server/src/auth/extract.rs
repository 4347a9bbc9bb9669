//! Extractors a handler names to say who may call it: [`UserSession`] (a valid
//! session, or 401 and the cookie cleared; 403 `password_change_required` while an admin
//! demands a new password), [`AdminSession`] (the same, and 403 unless the user is an
//! admin), [`ValidSession`] (a valid session even while a new password is demanded: for
//! the few routes that lead to choosing it) and [`RequestClient`] (address and user
//! agent). Each wraps the domain's value it extracts.

use std::{
    future::{Ready, ready},
    sync::Arc,
};

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, web};
use chrono::Utc;
use futures_util::future::LocalBoxFuture;
use hallpass_shared::{ErrorCode, Role};

use crate::{
    auth::{client_ip, cookie::SessionCookie},
    domain::{Client, sessions},
    error::ApiError,
    state::AppState,
    telemetry,
};

pub use crate::domain::sessions::CurrentSession;

/// Where the request comes from, as the domain records it.
pub struct RequestClient(pub Client);

/// A valid session whose user may use the API (no new password demanded).
pub struct UserSession(pub CurrentSession);

/// The client of `req`: its address (through trusted proxies) and user agent.
fn client_of(req: &HttpRequest, state: &AppState) -> Client {
    let addr = client_ip::resolve(
        req.peer_addr().map(|peer| peer.ip()),
        req.headers(),
        &state.settings.trusted_proxies,
        state.settings.trusted_proxy_header,
    );
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .map(|value| String::from_utf8_lossy(value.as_bytes()))
        .unwrap_or_default();
    Client::new(addr, &user_agent)
}

impl FromRequest for RequestClient {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(app_state(req).map(|state| Self(client_of(req, &state))))
    }
}

/// A valid session, whether or not its user must choose a new password first
/// ([`UserView::must_change_password`](hallpass_shared::UserView::must_change_password)).
/// Only for reading the session, recording it, signing out and changing the password.
pub struct ValidSession(pub CurrentSession);

impl FromRequest for ValidSession {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        let credential = SessionCookie::of(&req).credential();
        Box::pin(async move {
            let state = app_state(&req)?;
            let client = client_of(&req, &state);
            let current =
                sessions::validate(&state.domain, credential, &client, Utc::now()).await?;
            telemetry::record_session(current.user.id.0, current.session.id.0);
            Ok(Self(current))
        })
    }
}

impl FromRequest for UserSession {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let valid = ValidSession::from_request(req, payload);
        Box::pin(async move {
            let ValidSession(current) = valid.await?;
            if current.user.must_change_password {
                return Err(ApiError::Forbidden(ErrorCode::PasswordChangeRequired));
            }
            Ok(Self(current))
        })
    }
}

fn app_state(req: &HttpRequest) -> Result<Arc<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .map(|data| data.clone().into_inner())
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("AppState is not registered")))
}

/// A valid session of an admin: 401 without a session, 403 `forbidden` for other roles.
pub struct AdminSession(pub CurrentSession);

impl FromRequest for AdminSession {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let current = UserSession::from_request(req, payload);
        Box::pin(async move {
            let UserSession(current) = current.await?;
            if current.user.role != Role::Admin {
                return Err(ApiError::Forbidden(ErrorCode::Forbidden));
            }
            Ok(Self(current))
        })
    }
}
