//! The refusals handlers share, as OpenAPI response sets: each handler's `responses(...)`
//! names the sets it may answer with, and the document (`openapi`) lists the handlers.

use hallpass_shared::ErrorBody;

/// Refusals every session route may answer.
#[derive(utoipa::IntoResponses)]
pub enum SessionRefusals {
    #[response(
        status = 401,
        description = "No valid session (`session_invalid`, `session_expired`, `session_revoked`, `user_inactive`); the cookie is cleared"
    )]
    Unauthorized(ErrorBody),
    #[response(
        status = 503,
        description = "`unavailable` with `Retry-After`: the database is unreachable, refusing connections or saturated, or did not answer within DB_POOL_TIMEOUT + DB_QUERY_TIMEOUT; the cookie is kept"
    )]
    Unavailable(ErrorBody),
}

/// Refusals of a route that needs a session in good standing: those of
/// [`SessionRefusals`], and 403 while an admin demands a new password.
#[derive(utoipa::IntoResponses)]
pub enum UserRefusals {
    #[response(
        status = 401,
        description = "No valid session (`session_invalid`, `session_expired`, `session_revoked`, `user_inactive`); the cookie is cleared"
    )]
    Unauthorized(ErrorBody),
    #[response(
        status = 403,
        description = "`password_change_required`: an admin demands a new password first (`POST /api/auth/password`); or `csrf`: a cross-site request (routes that change state)"
    )]
    Forbidden(ErrorBody),
    #[response(
        status = 503,
        description = "`unavailable` with `Retry-After`: the database is unreachable, refusing connections or saturated, or did not answer within DB_POOL_TIMEOUT + DB_QUERY_TIMEOUT; the cookie is kept"
    )]
    Unavailable(ErrorBody),
}

/// Refusals every admin route may answer.
#[derive(utoipa::IntoResponses)]
pub enum AdminRefusals {
    #[response(
        status = 401,
        description = "No valid session (`session_invalid`, `session_expired`, `session_revoked`, `user_inactive`); the cookie is cleared"
    )]
    Unauthorized(ErrorBody),
    #[response(
        status = 403,
        description = "`forbidden` (not an admin), `password_change_required` (an admin demands a new password first) or `csrf` (cross-site request)"
    )]
    Forbidden(ErrorBody),
    #[response(
        status = 503,
        description = "`unavailable` with `Retry-After`: the database is unreachable, refusing connections or saturated, or did not answer within DB_POOL_TIMEOUT + DB_QUERY_TIMEOUT; the cookie is kept"
    )]
    Unavailable(ErrorBody),
}

/// Refusals of an admin route that is a sensitive act: those of [`AdminRefusals`], and
/// 403 `reauthentication_required` when the session last proved the password longer ago
/// than `REAUTH_WINDOW`.
#[derive(utoipa::IntoResponses)]
pub enum SensitiveAdminRefusals {
    #[response(
        status = 401,
        description = "No valid session (`session_invalid`, `session_expired`, `session_revoked`, `user_inactive`); the cookie is cleared"
    )]
    Unauthorized(ErrorBody),
    #[response(
        status = 403,
        description = "`reauthentication_required` (the password was last proved longer ago than REAUTH_WINDOW: `POST /api/auth/reauthenticate`, then repeat the request), `forbidden` (not an admin), `password_change_required` or `csrf`"
    )]
    Forbidden(ErrorBody),
    #[response(
        status = 503,
        description = "`unavailable` with `Retry-After`: the database is unreachable, refusing connections or saturated, or did not answer within DB_POOL_TIMEOUT + DB_QUERY_TIMEOUT; the cookie is kept"
    )]
    Unavailable(ErrorBody),
}

/// Refusals of a JSON request body.
#[derive(utoipa::IntoResponses)]
pub enum BodyRefusals {
    #[response(
        status = 400,
        description = "`bad_request`: unreadable body, query or cursor"
    )]
    Unreadable(ErrorBody),
    #[response(status = 413, description = "`payload_too_large`")]
    TooLarge(ErrorBody),
    #[response(
        status = 415,
        description = "`unsupported_media_type`: the body is not JSON"
    )]
    NotJson(ErrorBody),
    #[response(status = 422, description = "`validation`: a field breaks a rule")]
    Invalid(ErrorBody),
}

/// Refusal of an unreadable query string or pagination cursor.
#[derive(utoipa::IntoResponses)]
pub enum QueryRefusals {
    #[response(
        status = 400,
        description = "`bad_request`: unreadable body, query or cursor"
    )]
    Unreadable(ErrorBody),
}

/// Refusal of a cross-site state-changing request.
#[derive(utoipa::IntoResponses)]
pub enum CsrfRefusal {
    #[response(status = 403, description = "`csrf`: cross-site request")]
    CrossSite(ErrorBody),
}
