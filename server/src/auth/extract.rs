//! Extractors a handler names to say who may call it: [`CurrentSession`] (a valid
//! session, or 401 and the cookie cleared), [`AdminSession`] (the same, and 403 unless
//! the user is an admin) and [`ClientInfo`] (address and user agent).

use std::{
    future::{Ready, ready},
    net::{IpAddr, Ipv6Addr},
};

use actix_web::{
    FromRequest, HttpRequest,
    dev::Payload,
    http::header::{self, HeaderValue},
    web,
};
use chrono::Utc;
use futures_util::future::LocalBoxFuture;
use hallpass_shared::{ErrorCode, Role};

use crate::{
    auth::{client_ip, cookie::TypedSession},
    domain::{sessions, user_agent},
    error::ApiError,
    state::AppState,
};

pub use crate::domain::sessions::CurrentSession;

/// Where a request comes from, as stored with sessions and audit events. Cheap to
/// take: the text forms are only built when something is written.
#[derive(Debug, Clone)]
pub struct ClientInfo {
    addr: Option<IpAddr>,
    user_agent: Option<HeaderValue>,
}

impl ClientInfo {
    /// The address for throttling; requests without one share a single bucket.
    pub fn ip_addr(&self) -> IpAddr {
        self.addr.unwrap_or(IpAddr::V6(Ipv6Addr::UNSPECIFIED))
    }

    /// The address as stored, `unknown` when there is none.
    pub fn ip(&self) -> String {
        self.addr
            .map_or_else(|| "unknown".to_owned(), |addr| addr.to_string())
    }

    /// The `User-Agent` header as stored: at most 512 characters.
    pub fn user_agent(&self) -> String {
        self.user_agent
            .as_ref()
            .map(|value| user_agent::truncate(&String::from_utf8_lossy(value.as_bytes())))
            .unwrap_or_default()
    }

    fn of(req: &HttpRequest) -> Result<Self, ApiError> {
        let state = app_state(req)?;
        let addr = client_ip::resolve(
            req.peer_addr().map(|peer| peer.ip()),
            req.headers(),
            &state.settings.trusted_proxies,
        );
        Ok(Self {
            addr,
            user_agent: req.headers().get(header::USER_AGENT).cloned(),
        })
    }
}

impl FromRequest for ClientInfo {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Self::of(req))
    }
}

impl FromRequest for CurrentSession {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let cookie = TypedSession::from_request(&req, payload).into_inner();
        Box::pin(async move {
            let state = app_state(&req)?;
            let client = ClientInfo::of(&req)?;
            let cookie = cookie
                .map_err(|error| ApiError::Internal(anyhow::anyhow!("session cookie: {error}")))?;
            let current = sessions::validate(&state, cookie.payload(), &client, Utc::now()).await?;
            let span = tracing::Span::current();
            span.record("user.id", tracing::field::display(current.user.id));
            span.record("session.id", tracing::field::display(current.session.id));
            Ok(current)
        })
    }
}

fn app_state(req: &HttpRequest) -> Result<std::sync::Arc<AppState>, ApiError> {
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
        let current = CurrentSession::from_request(req, payload);
        Box::pin(async move {
            let current = current.await?;
            if current.user.role != Role::Admin {
                return Err(ApiError::Forbidden(ErrorCode::Forbidden));
            }
            Ok(Self(current))
        })
    }
}
