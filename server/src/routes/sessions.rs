//! The caller's own sessions: ensure, list, revoke one, revoke the others, and the
//! caller's audit events.

use actix_web::{HttpResponse, web};
use chrono::Utc;
use hallpass_shared::ErrorBody;

use super::responses::{CsrfRefusal, QueryRefusals, SessionRefusals};
use hallpass_shared::{
    EnsureResponse, Page, PageQuery, RevokeOthersResponse, SessionEventView, SessionId, SessionList,
};

use crate::{
    auth::{cookie::SessionCookie, extract::CurrentSession},
    domain::{
        Client, audit,
        sessions::{self, Ensured},
    },
    error::ApiError,
    state::AppState,
};

/// `POST /api/sessions/ensure`. **Permissions:** a cookie this server minted.
///
/// Idempotent: answers `exists` for a recorded session, `created` when it had to record
/// it; never brings back a revoked or expired session.
#[utoipa::path(
    post,
    path = "/api/sessions/ensure",
    tag = "sessions",
    responses(
        (status = 200, description = "`{\"exists\": true}` or `{\"created\": true}` with the session", body = EnsureResponse),
        SessionRefusals,
        CsrfRefusal
    ),
    security(("session_cookie" = []))
)]
pub async fn ensure_session(
    state: web::Data<AppState>,
    cookie: SessionCookie,
    client: Client,
) -> Result<web::Json<EnsureResponse>, ApiError> {
    let claim = cookie.claim();
    let (ensured, current) = state
        .to_completion(move |domain| async move {
            sessions::ensure(&domain, claim, &client, Utc::now()).await
        })
        .await?;
    state.domain.metrics.ensure(ensured == Ensured::Created);
    Ok(web::Json(match ensured {
        Ensured::Exists => EnsureResponse::exists(current.session),
        Ensured::Created => {
            tracing::info!(session.id = %current.session.id, "session record created by ensure");
            EnsureResponse::created(current.session)
        }
    }))
}

/// `GET /api/sessions`. **Permissions:** a valid session; lists only the caller's own.
#[utoipa::path(
    get,
    path = "/api/sessions",
    tag = "sessions",
    responses(
        (status = 200, description = "The caller's active sessions, newest first", body = SessionList),
        SessionRefusals
    ),
    security(("session_cookie" = []))
)]
pub async fn list_sessions(
    state: web::Data<AppState>,
    current: CurrentSession,
) -> Result<web::Json<SessionList>, ApiError> {
    let sessions = sessions::list(&state.domain, &current, Utc::now()).await?;
    Ok(web::Json(SessionList { sessions }))
}

/// `DELETE /api/sessions/{id}`. **Permissions:** a valid session; only the caller's own
/// sessions (404 for anyone else's). Revoking the current one also clears the cookie.
#[tracing::instrument(skip_all, fields(session.id = %id))]
#[utoipa::path(
    delete,
    path = "/api/sessions/{id}",
    tag = "sessions",
    params(("id" = Uuid, Path, description = "Session id")),
    responses(
        (status = 204, description = "Revoked (the cookie is cleared if it was the current session)"),
        SessionRefusals,
        CsrfRefusal,
        (status = 404, description = "`not_found`: not an active session of the caller", body = ErrorBody)
    ),
    security(("session_cookie" = []))
)]
pub async fn revoke_session(
    state: web::Data<AppState>,
    current: CurrentSession,
    client: Client,
    cookie: SessionCookie,
    id: web::Path<SessionId>,
) -> Result<HttpResponse, ApiError> {
    let id = *id;
    let revoked_own = state
        .to_completion(move |domain| async move {
            sessions::revoke_one(&domain, &current, id, &client, Utc::now()).await
        })
        .await?;
    if revoked_own {
        cookie.end();
    }
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /api/sessions/revoke-others`. **Permissions:** a valid session; the current
/// session stays.
#[tracing::instrument(skip_all, fields(user.id = %current.user.id))]
#[utoipa::path(
    post,
    path = "/api/sessions/revoke-others",
    tag = "sessions",
    responses(
        (status = 200, description = "How many sessions were revoked", body = RevokeOthersResponse),
        SessionRefusals,
        CsrfRefusal
    ),
    security(("session_cookie" = []))
)]
pub async fn revoke_other_sessions(
    state: web::Data<AppState>,
    current: CurrentSession,
    client: Client,
) -> Result<web::Json<RevokeOthersResponse>, ApiError> {
    let revoked = state
        .to_completion(move |domain| async move {
            sessions::revoke_others(&domain, &current, &client, Utc::now()).await
        })
        .await?;
    Ok(web::Json(RevokeOthersResponse { revoked }))
}

/// `GET /api/sessions/events?limit=&cursor=`. **Permissions:** a valid session; only
/// the caller's own events, newest first.
#[utoipa::path(
    get,
    path = "/api/sessions/events",
    tag = "sessions",
    params(PageQuery),
    responses(
        (status = 200, description = "The caller's audit events, newest first", body = Page<SessionEventView>),
        SessionRefusals,
        QueryRefusals,
        (status = 422, description = "`validation`: a field breaks a rule", body = ErrorBody)
    ),
    security(("session_cookie" = []))
)]
pub async fn list_own_events(
    state: web::Data<AppState>,
    current: CurrentSession,
    query: web::Query<PageQuery>,
) -> Result<web::Json<Page<SessionEventView>>, ApiError> {
    let page = audit::list_own(&state.domain, current.user.id, &query).await?;
    Ok(web::Json(page))
}
