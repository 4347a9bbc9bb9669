//! The one way the app talks to the server: [`send`] over gloo-net with same-origin
//! credentials and JSON, errors decoded from the server's `ErrorBody`. Components call the
//! typed functions in [`auth`], [`sessions`] and [`admin`]; they never build URLs.
//!
//! A 401 that means "your session is over" (not a failed login) is reported once, here, to
//! whoever registered with [`on_session_end`] — the session store — so no page has to
//! handle it. Likewise a 403 `reauthentication_required` is handed to whoever registered
//! with [`on_reauthentication_required`] — the password dialog — and, once the password
//! is confirmed, the very request is sent again: no page has to handle that either.

#[cfg(feature = "admin")]
pub mod admin;
pub mod auth;
pub mod sessions;

use std::cell::RefCell;

use futures_channel::oneshot;

use gloo_net::http::{Method, RequestBuilder, Response};
use hallpass_shared::{ErrorBody, ErrorCode, ErrorDetail};
use serde::{Serialize, de::DeserializeOwned};
use web_sys::RequestCredentials;
use yew::Callback;

/// Why a call to the server failed.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// No HTTP answer at all: the server is down or the network is gone.
    Unreachable,
    /// The server answered with an error body.
    Server {
        status: u16,
        detail: ErrorDetail,
        /// Seconds from `Retry-After`, on 429.
        retry_after: Option<u64>,
    },
    /// A non-JSON or unexpected answer (a proxy's HTML error page, say).
    Unexpected { status: u16 },
}

impl ApiError {
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Server { detail, .. } => Some(detail.code),
            _ => None,
        }
    }

    /// The server's request id, worth quoting in a bug report.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Server { detail, .. } => detail.request_id.as_deref(),
            _ => None,
        }
    }

    /// A 401 meaning the caller's session is gone, as opposed to wrong credentials.
    fn ends_session(&self) -> bool {
        matches!(self, Self::Server { status: 401, detail, .. }
            if detail.code != ErrorCode::InvalidCredentials)
    }
}

thread_local! {
    static SESSION_END: RefCell<Option<Callback<ErrorDetail>>> = const { RefCell::new(None) };
    static REAUTHENTICATION: RefCell<Option<Callback<oneshot::Sender<bool>>>> =
        const { RefCell::new(None) };
}

/// Registers the one listener asked to get the password confirmed when a call answers
/// 403 `reauthentication_required`; it answers `true` once confirmed, `false` if the user
/// gave up.
pub fn on_reauthentication_required(listener: Callback<oneshot::Sender<bool>>) {
    REAUTHENTICATION.with(|slot| *slot.borrow_mut() = Some(listener));
}

/// Whether the listener got the password confirmed (`false` without a listener).
async fn reauthenticated() -> bool {
    let Some(listener) = REAUTHENTICATION.with(|slot| slot.borrow().clone()) else {
        return false;
    };
    let (answer, answered) = oneshot::channel();
    listener.emit(answer);
    answered.await.unwrap_or(false)
}

/// Registers the one listener told when a call answers 401 because the session ended,
/// with the server's answer (its code, and the reason of a revocation).
pub fn on_session_end(listener: Callback<ErrorDetail>) {
    SESSION_END.with(|slot| *slot.borrow_mut() = Some(listener));
}

fn report_session_end(detail: &ErrorDetail) {
    let listener = SESSION_END.with(|slot| slot.borrow().clone());
    if let Some(listener) = listener {
        listener.emit(detail.clone());
    }
}

/// A request to `path` on this origin; `query` pairs are percent-encoded.
fn builder(method: Method, path: &str, query: &[(&str, String)]) -> RequestBuilder {
    RequestBuilder::new(path)
        .method(method)
        .credentials(RequestCredentials::SameOrigin)
        .header("Accept", "application/json")
        .query(query.iter().map(|(key, value)| (*key, value.as_str())))
}

/// Sends the request and turns every non-2xx answer into an [`ApiError`]; a request
/// refused for want of a recent password is sent once more after the user confirms it.
async fn send(
    method: Method,
    path: &str,
    query: &[(&str, String)],
    body: Option<&impl Serialize>,
) -> Result<Response, ApiError> {
    match send_once(method.clone(), path, query, body).await {
        Err(error)
            if error.code() == Some(ErrorCode::ReauthenticationRequired)
                && reauthenticated().await =>
        {
            send_once(method, path, query, body).await
        }
        answer => answer,
    }
}

async fn send_once(
    method: Method,
    path: &str,
    query: &[(&str, String)],
    body: Option<&impl Serialize>,
) -> Result<Response, ApiError> {
    let request = builder(method, path, query);
    let request = match body {
        Some(body) => request.json(body),
        None => request.build(),
    }
    // Only a body that cannot be serialised fails here, which our own types never are.
    .map_err(|_| ApiError::Unexpected { status: 0 })?;
    let response = request.send().await.map_err(|_| ApiError::Unreachable)?;
    if response.ok() {
        return Ok(response);
    }
    let error = error_from(&response).await;
    if let ApiError::Server { detail, .. } = &error
        && error.ends_session()
    {
        report_session_end(detail);
    }
    Err(error)
}

async fn error_from(response: &Response) -> ApiError {
    let status = response.status();
    match response.json::<ErrorBody>().await {
        Ok(body) => ApiError::Server {
            status,
            detail: body.error,
            retry_after: response
                .headers()
                .get("retry-after")
                .and_then(|value| value.trim().parse().ok()),
        },
        Err(_) => ApiError::Unexpected { status },
    }
}

async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let status = response.status();
    response
        .json()
        .await
        .map_err(|_| ApiError::Unexpected { status })
}

/// `GET path?query`, decoding a JSON answer.
async fn get<T: DeserializeOwned>(path: &str, query: &[(&str, String)]) -> Result<T, ApiError> {
    decode(send(Method::GET, path, query, None::<&()>).await?).await
}

/// A state-changing call with an optional JSON body, decoding a JSON answer.
async fn call<T: DeserializeOwned>(
    method: Method,
    path: &str,
    body: Option<&impl Serialize>,
) -> Result<T, ApiError> {
    decode(send(method, path, &[], body).await?).await
}

/// A state-changing call whose answer is `204 No Content`.
async fn call_empty(
    method: Method,
    path: &str,
    body: Option<&impl Serialize>,
) -> Result<(), ApiError> {
    send(method, path, &[], body).await.map(drop)
}
