//! Login, logout, the current session, password change, and re-authentication.

use actix_web::{HttpRequest, HttpResponse, http::header::ContentType, web};
use chrono::Utc;
use hallpass_shared::ErrorBody;

use super::responses::{BodyRefusals, CsrfRefusal, SessionRefusals};
use hallpass_shared::{AuthResponse, LoginRequest, NewToken, PasswordChange, Reauthenticate};

use crate::{
    auth::{
        cookie::{SessionCookie, SessionCookies},
        extract::{RequestClient, UserSession, ValidSession},
    },
    domain::sessions::{self, LoggedIn, reauth},
    error::ApiError,
    state::AppState,
};

/// `POST /api/auth/login`. **Permissions:** anyone.
///
/// Always mints a new token, whatever cookie came with the request (no fixation), and
/// leaves a device cookie: later logins from this browser are throttled on their own,
/// whatever others try against the account or the address. With `"token": true` (native
/// apps, REST clients) the answer carries the session's bearer token instead, and sets
/// no cookie. The attempted email is never logged.
#[tracing::instrument(skip_all)]
#[utoipa::path(
    post,
    path = "/api/auth/login",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in: a new session and its cookie, and the device cookie; with `\"shared_device\": true`, a session cookie without Max-Age (it ends with the browser) and no device cookie; with `\"token\": true`, the session's bearer token in `token` and no cookie", body = AuthResponse),
        BodyRefusals,
        (status = 401, description = "`invalid_credentials` (unknown email or wrong password, indistinguishable) or `user_inactive`", body = ErrorBody),
        (status = 429, description = "`rate_limited`: too many failed attempts on this account, device or address; see `Retry-After` (the delay doubles with each attempt past the limit, up to LOGIN_LOCKOUT)", body = ErrorBody),
        CsrfRefusal,
        (status = 503, description = "`unavailable` with `Retry-After`: the database is unreachable, refusing connections or saturated, or did not answer within DB_POOL_TIMEOUT + DB_QUERY_TIMEOUT; the cookie is kept", body = ErrorBody)
    ),
    security(())
)]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    cookies: web::Data<SessionCookies>,
    cookie: SessionCookie,
    RequestClient(client): RequestClient,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let (body, previous) = (body.into_inner(), cookie.claim());
    let wants_token = body.token;
    let device = cookies.device_of(&req);
    let LoggedIn {
        current,
        claim,
        device,
    } = state
        .to_completion(move |domain| async move {
            sessions::login(&domain, body, &client, previous, device, Utc::now()).await
        })
        .await?;
    tracing::info!(user.id = %current.user.id, session.id = %current.session.id, "logged in");
    if wants_token {
        return Ok(HttpResponse::Ok().json(AuthResponse {
            user: current.user.clone(),
            session: current.session.clone(),
            token: Some(claim.token.to_bearer()),
        }));
    }
    cookie.start(&claim);
    let mut answer = HttpResponse::Ok();
    if let Some(device) = &device {
        answer.cookie(cookies.device_cookie(device)?);
    }
    Ok(answer
        .content_type(ContentType::json())
        .body(current.auth_response_json()))
}

/// `POST /api/auth/logout`. **Permissions:** a valid session (the one being ended), also
/// while a new password is demanded.
#[tracing::instrument(skip_all, fields(session.id = %current.session.id))]
#[utoipa::path(
    post,
    path = "/api/auth/logout",
    tag = "auth",
    responses(
        (status = 204, description = "The session is revoked and the cookie cleared"),
        SessionRefusals,
        CsrfRefusal
    ),
    security(("session_cookie" = []), ("bearer_token" = []))
)]
pub async fn logout(
    state: web::Data<AppState>,
    ValidSession(current): ValidSession,
    RequestClient(client): RequestClient,
    cookie: SessionCookie,
) -> Result<HttpResponse, ApiError> {
    state
        .to_completion(move |domain| async move {
            sessions::logout(&domain, &current, &client, Utc::now()).await
        })
        .await?;
    cookie.end();
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /api/auth/session`. **Permissions:** a valid session, also while a new password
/// is demanded (`user.must_change_password`).
#[utoipa::path(
    get,
    path = "/api/auth/session",
    tag = "auth",
    responses(
        (status = 200, description = "The caller and their session", body = AuthResponse),
        SessionRefusals
    ),
    security(("session_cookie" = []), ("bearer_token" = []))
)]
pub async fn current_session(ValidSession(current): ValidSession) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(current.auth_response_json())
}

/// `POST /api/auth/password`. **Permissions:** a valid session, also while a new
/// password is demanded (this meets the demand); the current password must be given
/// again. Every session of the user is revoked, and this browser continues in a new
/// session with a new cookie (a new token after re-authentication); a client that
/// authenticated with a bearer token gets the new session's token in the answer.
#[tracing::instrument(skip_all, fields(user.id = %current.user.id))]
#[utoipa::path(
    post,
    path = "/api/auth/password",
    tag = "auth",
    request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed; every other session of the user is revoked, and this browser gets a new session cookie (the old one is refused)"),
        (status = 200, description = "Changed, for a client that authenticated with a bearer token: the new session's token (the old one is refused)", body = NewToken),
        SessionRefusals,
        BodyRefusals,
        (status = 403, description = "`invalid_credentials` (wrong current password) or `csrf`", body = ErrorBody),
        (status = 429, description = "`rate_limited`", body = ErrorBody)
    ),
    security(("session_cookie" = []), ("bearer_token" = []))
)]
pub async fn change_password(
    state: web::Data<AppState>,
    ValidSession(current): ValidSession,
    RequestClient(client): RequestClient,
    cookie: SessionCookie,
    body: web::Json<PasswordChange>,
) -> Result<HttpResponse, ApiError> {
    let change = body.into_inner();
    let claim = state
        .to_completion(move |domain| async move {
            sessions::change_password(&domain, &current, change, &client, Utc::now()).await
        })
        .await?;
    if cookie.is_bearer() {
        return Ok(HttpResponse::Ok().json(NewToken {
            token: claim.token.to_bearer(),
        }));
    }
    cookie.start(&claim);
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /api/auth/reauthenticate`. **Permissions:** a session in good standing. The
/// signed-in user proves their password again: sensitive acts (an admin changing an
/// account, a password or a policy, or signing a user out) answer 403
/// `reauthentication_required` when the session's last proof is older than
/// `REAUTH_WINDOW`, and succeed once this is done. Throttled by a counter of the
/// session's own; audited (`reauthenticated`, or `login_failed` for a wrong password).
#[tracing::instrument(skip_all, fields(session.id = %current.session.id))]
#[utoipa::path(
    post,
    path = "/api/auth/reauthenticate",
    tag = "auth",
    request_body = Reauthenticate,
    responses(
        (status = 204, description = "The password is proved: sensitive acts are allowed for REAUTH_WINDOW"),
        (status = 401, description = "`invalid_credentials`: the wrong password (the session stays signed in); or no valid session (`session_*`, `user_inactive`), the cookie cleared", body = ErrorBody),
        (status = 403, description = "`password_change_required` (an admin demands a new password first) or `csrf`", body = ErrorBody),
        BodyRefusals,
        (status = 429, description = "`rate_limited` with `Retry-After`: too many wrong passwords in this session", body = ErrorBody),
        (status = 503, description = "`unavailable` with `Retry-After`", body = ErrorBody)
    ),
    security(("session_cookie" = []), ("bearer_token" = []))
)]
pub async fn reauthenticate(
    state: web::Data<AppState>,
    UserSession(current): UserSession,
    RequestClient(client): RequestClient,
    body: web::Json<Reauthenticate>,
) -> Result<HttpResponse, ApiError> {
    let request = body.into_inner();
    state
        .to_completion(move |domain| async move {
            reauth::reauthenticate(&domain, &current, request, &client, Utc::now()).await
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
