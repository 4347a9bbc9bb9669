//! The caller's own sessions: ensure, list, name, revoke one, revoke the others, answer
//! about sign-ins from new devices, and the caller's audit events.

use actix_web::{HttpResponse, web};
use chrono::Utc;
use hallpass_shared::ErrorBody;

use super::responses::{BodyRefusals, CsrfRefusal, QueryRefusals, SessionRefusals, UserRefusals};
use hallpass_shared::{
    EnsureResponse, Page, PageQuery, RenameSession, RevokeOthersResponse, SessionEventView,
    SessionId, SessionList, SessionView,
};

use crate::{
    auth::{
        cookie::SessionCookie,
        extract::{CurrentSession, RequestClient, UserSession},
    },
    domain::{
        Client, audit,
        sessions::{
            self, Ensured,
            new_devices::{self, Answer},
        },
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
    security(("session_cookie" = []), ("bearer_token" = []))
)]
pub async fn ensure_session(
    state: web::Data<AppState>,
    cookie: SessionCookie,
    RequestClient(client): RequestClient,
) -> Result<web::Json<EnsureResponse>, ApiError> {
    let credential = cookie.credential();
    let (ensured, current) = state
        .to_completion(move |domain| async move {
            sessions::ensure(&domain, credential, &client, Utc::now()).await
        })
        .await?;
    state.domain.metrics.ensure(ensured == Ensured::Created);
    Ok(web::Json(match ensured {
        Ensured::Exists => EnsureResponse::exists(current.session.clone()),
        Ensured::Created => {
            tracing::info!(session.id = %current.session.id, "session record created by ensure");
            EnsureResponse::created(current.session.clone())
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
        UserRefusals
    ),
    security(("session_cookie" = []), ("bearer_token" = []))
)]
pub async fn list_sessions(
    state: web::Data<AppState>,
    UserSession(current): UserSession,
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
        UserRefusals,
        (status = 404, description = "`not_found`: not an active session of the caller", body = ErrorBody)
    ),
    security(("session_cookie" = []), ("bearer_token" = []))
)]
pub async fn revoke_session(
    state: web::Data<AppState>,
    UserSession(current): UserSession,
    RequestClient(client): RequestClient,
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

/// `PATCH /api/sessions/{id}`. **Permissions:** a valid session; only the caller's own
/// active sessions (404 for anyone else's). Names the session (at most 40 characters);
/// `null` or a blank name removes the name; at most 10 renames of one session an hour
/// (429 beyond). Audited (`session_renamed`).
#[tracing::instrument(skip_all, fields(session.id = %id))]
#[utoipa::path(
    patch,
    path = "/api/sessions/{id}",
    tag = "sessions",
    params(("id" = Uuid, Path, description = "Session id")),
    request_body = RenameSession,
    responses(
        (status = 200, description = "The session with its new name", body = SessionView),
        UserRefusals,
        BodyRefusals,
        (status = 404, description = "`not_found`: not an active session of the caller", body = ErrorBody),
        (status = 429, description = "`rate_limited` with `Retry-After`: the session was renamed 10 times within the last hour (each rename is a row of the audit trail)", body = ErrorBody)
    ),
    security(("session_cookie" = []), ("bearer_token" = []))
)]
pub async fn rename_session(
    state: web::Data<AppState>,
    UserSession(current): UserSession,
    RequestClient(client): RequestClient,
    id: web::Path<SessionId>,
    body: web::Json<RenameSession>,
) -> Result<web::Json<SessionView>, ApiError> {
    let (id, body) = (*id, body.into_inner());
    let view = state
        .to_completion(move |domain| async move {
            sessions::rename(&domain, &current, id, body, &client, Utc::now()).await
        })
        .await?;
    Ok(web::Json(view))
}

/// `GET /api/sessions/new-devices`. **Permissions:** a valid session. The caller's
/// active sign-ins from new devices that nobody has answered "was this you?" about yet,
/// newest first, the calling session left out.
#[utoipa::path(
    get,
    path = "/api/sessions/new-devices",
    tag = "sessions",
    responses(
        (status = 200, description = "Unanswered new-device sessions, newest first", body = SessionList),
        UserRefusals
    ),
    security(("session_cookie" = []), ("bearer_token" = []))
)]
pub async fn list_new_device_sessions(
    state: web::Data<AppState>,
    UserSession(current): UserSession,
) -> Result<web::Json<SessionList>, ApiError> {
    let sessions = new_devices::unanswered(&state.domain, &current, Utc::now()).await?;
    Ok(web::Json(SessionList { sessions }))
}

/// `POST /api/sessions/{id}/confirm`. **Permissions:** a valid session; only the
/// caller's own, from another of their sessions (a new device cannot vouch for itself:
/// 403). "Yes, that was me" about a sign-in from a new device: it is no longer asked
/// about, and its device is learned. Audited (`new_device_confirmed`).
#[tracing::instrument(skip_all, fields(session.id = %id))]
#[utoipa::path(
    post,
    path = "/api/sessions/{id}/confirm",
    tag = "sessions",
    params(("id" = Uuid, Path, description = "Session id")),
    responses(
        (status = 204, description = "Answered"),
        UserRefusals,
        (status = 403, description = "`forbidden`: the session asked about is the calling one (another session of the account must answer); `password_change_required`: an admin demands a new password first; `csrf`: a cross-site request", body = ErrorBody),
        (status = 404, description = "`not_found`: not an unanswered new-device session of the caller (perhaps answered already)", body = ErrorBody)
    ),
    security(("session_cookie" = []), ("bearer_token" = []))
)]
pub async fn confirm_new_device(
    state: web::Data<AppState>,
    UserSession(current): UserSession,
    RequestClient(client): RequestClient,
    id: web::Path<SessionId>,
) -> Result<HttpResponse, ApiError> {
    answer_new_device(state, current, client, *id, Answer::WasMe).await
}

/// `POST /api/sessions/{id}/deny`. **Permissions:** a valid session; only the caller's
/// own, from another of their sessions (403 from the session itself, which can sign out
/// instead). "No, sign it out" about a sign-in from a new device: the session is revoked
/// at once, everywhere, and what it was recognised by is forgotten. Audited
/// (`new_device_denied`, then `session_revoked`).
#[tracing::instrument(skip_all, fields(session.id = %id))]
#[utoipa::path(
    post,
    path = "/api/sessions/{id}/deny",
    tag = "sessions",
    params(("id" = Uuid, Path, description = "Session id")),
    responses(
        (status = 204, description = "Answered, and the session revoked"),
        UserRefusals,
        (status = 403, description = "`forbidden`: the session asked about is the calling one (another session of the account must answer); `password_change_required`: an admin demands a new password first; `csrf`: a cross-site request", body = ErrorBody),
        (status = 404, description = "`not_found`: not an unanswered new-device session of the caller (perhaps answered already)", body = ErrorBody)
    ),
    security(("session_cookie" = []), ("bearer_token" = []))
)]
pub async fn deny_new_device(
    state: web::Data<AppState>,
    UserSession(current): UserSession,
    RequestClient(client): RequestClient,
    id: web::Path<SessionId>,
) -> Result<HttpResponse, ApiError> {
    answer_new_device(state, current, client, *id, Answer::NotMe).await
}

/// Both answers to "was this you?": recorded to completion even if the client leaves.
async fn answer_new_device(
    state: web::Data<AppState>,
    current: CurrentSession,
    client: Client,
    id: SessionId,
    answer: Answer,
) -> Result<HttpResponse, ApiError> {
    state
        .to_completion(move |domain| async move {
            new_devices::answer(&domain, &current, id, answer, &client, Utc::now()).await
        })
        .await?;
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
        UserRefusals
    ),
    security(("session_cookie" = []), ("bearer_token" = []))
)]
pub async fn revoke_other_sessions(
    state: web::Data<AppState>,
    UserSession(current): UserSession,
    RequestClient(client): RequestClient,
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
        UserRefusals,
        QueryRefusals,
        (status = 422, description = "`validation`: a field breaks a rule", body = ErrorBody)
    ),
    security(("session_cookie" = []), ("bearer_token" = []))
)]
pub async fn list_own_events(
    state: web::Data<AppState>,
    UserSession(current): UserSession,
    query: web::Query<PageQuery>,
) -> Result<web::Json<Page<SessionEventView>>, ApiError> {
    let page = audit::list_own(&state.domain, current.user.id, &query).await?;
    Ok(web::Json(page))
}
