//! The caller's own sessions.

use gloo_net::http::Method;
use hallpass_shared::SessionId;
use hallpass_shared::{
    EnsureResponse, Page, PageQuery, RenameSession, RevokeOthersResponse, SessionEventView,
    SessionList, SessionView, paths,
};

use super::{ApiError, call, call_empty, get};

pub async fn ensure() -> Result<EnsureResponse, ApiError> {
    call(Method::POST, paths::ENSURE_SESSION, None::<&()>).await
}

pub async fn list() -> Result<SessionList, ApiError> {
    get(paths::SESSIONS, &[]).await
}

pub async fn revoke(id: SessionId) -> Result<(), ApiError> {
    call_empty(Method::DELETE, &paths::session(id), None::<&()>).await
}

/// Names one of the caller's sessions; a blank name removes the name.
pub async fn rename(id: SessionId, name: String) -> Result<SessionView, ApiError> {
    let body = RenameSession { name: Some(name) };
    call(Method::PATCH, &paths::session(id), Some(&body)).await
}

/// The caller's sign-ins from new devices still waiting for "was this you?".
pub async fn new_devices() -> Result<SessionList, ApiError> {
    get(paths::NEW_DEVICE_SESSIONS, &[]).await
}

/// "Yes, that was me."
pub async fn confirm(id: SessionId) -> Result<(), ApiError> {
    call_empty(Method::POST, &paths::confirm_session(id), None::<&()>).await
}

/// "No, sign it out."
pub async fn deny(id: SessionId) -> Result<(), ApiError> {
    call_empty(Method::POST, &paths::deny_session(id), None::<&()>).await
}

pub async fn events(query: &PageQuery) -> Result<Page<SessionEventView>, ApiError> {
    let mut pairs = Vec::new();
    if let Some(limit) = query.limit {
        pairs.push(("limit", limit.to_string()));
    }
    if let Some(cursor) = &query.cursor {
        pairs.push(("cursor", cursor.clone()));
    }
    get(paths::OWN_EVENTS, &pairs).await
}

pub async fn revoke_others() -> Result<RevokeOthersResponse, ApiError> {
    call(Method::POST, paths::REVOKE_OTHER_SESSIONS, None::<&()>).await
}
