//! `ApiError`: the server's one error type, and the one place it becomes HTTP.
//!
//! The domain answers with [`domain::Error`] (which already knows what a database or
//! pool failure means); the `From` impl here decides what each means to a client. Every
//! error leaves as the JSON envelope of `hallpass_shared::ErrorBody`.

use actix_web::{
    HttpRequest, HttpResponse, ResponseError,
    error::{JsonPayloadError, PathError, QueryPayloadError},
    http::{StatusCode, header},
};
use hallpass_shared::{ErrorBody, ErrorCode};

use crate::{domain, domain::Rejection, telemetry::current_request_id};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 401; `user_inactive` and `invalid_credentials` at login.
    #[error("unauthorized: {0}")]
    Unauthorized(ErrorCode),
    /// 401; the request's session is not valid (`session_*`, `user_inactive`), and why.
    #[error("session refused: {0:?}")]
    SessionRefused(Rejection),
    /// 403; `forbidden` or `csrf`.
    #[error("forbidden: {0}")]
    Forbidden(ErrorCode),
    /// 403 `forbidden`, for a reason other than the role, in words.
    #[error("not allowed: {0}")]
    NotAllowed(&'static str),
    #[error("not found")]
    NotFound,
    /// 405; `allow` lists the methods the resource takes (the `Allow` header).
    #[error("method not allowed")]
    MethodNotAllowed { allow: &'static str },
    #[error("conflict: {0}")]
    Conflict(String),
    /// 409: the change would leave no active admin.
    #[error("no active admin would remain")]
    LastAdmin,
    /// 422: the JSON was read but a field breaks a rule.
    #[error("invalid input: {0}")]
    Validation(String),
    /// 400: the request could not be read at all.
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("rate limited for {retry_after_secs}s")]
    RateLimited { retry_after_secs: u64 },
    /// 503: the database is unreachable or its pool is exhausted.
    #[error("service unavailable")]
    Unavailable(#[source] anyhow::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Unauthorized(code) | Self::Forbidden(code) => *code,
            Self::NotAllowed(_) => ErrorCode::Forbidden,
            Self::SessionRefused(rejection) => rejection.code(),
            Self::NotFound => ErrorCode::NotFound,
            Self::MethodNotAllowed { .. } => ErrorCode::MethodNotAllowed,
            Self::Conflict(_) => ErrorCode::Conflict,
            Self::LastAdmin => ErrorCode::LastAdmin,
            Self::Validation(_) => ErrorCode::Validation,
            Self::BadRequest(_) => ErrorCode::BadRequest,
            Self::PayloadTooLarge => ErrorCode::PayloadTooLarge,
            Self::UnsupportedMediaType => ErrorCode::UnsupportedMediaType,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::Unavailable(_) => ErrorCode::Unavailable,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }

    fn public_message(&self) -> String {
        match self {
            Self::Unauthorized(ErrorCode::InvalidCredentials) => {
                "email or password is wrong".into()
            }
            Self::Unauthorized(ErrorCode::UserInactive)
            | Self::SessionRefused(Rejection::UserInactive) => "the account is deactivated".into(),
            Self::Unauthorized(_) | Self::SessionRefused(Rejection::Invalid) => {
                "no valid session; log in".into()
            }
            Self::SessionRefused(Rejection::Expired) => "the session has expired".into(),
            Self::SessionRefused(Rejection::Revoked(None)) => "the session was revoked".into(),
            Self::SessionRefused(Rejection::Revoked(Some(reason))) => {
                format!("the session was revoked ({reason})")
            }
            Self::Forbidden(ErrorCode::Csrf) => "cross-site request refused".into(),
            Self::Forbidden(ErrorCode::PasswordChangeRequired) => {
                "choose a new password first (POST /api/auth/password)".into()
            }
            Self::Forbidden(ErrorCode::ReauthenticationRequired) => {
                "confirm your password first (POST /api/auth/reauthenticate), then repeat this \
                 request"
                    .into()
            }
            Self::Forbidden(_) => "not allowed for this role".into(),
            Self::NotAllowed(why) => (*why).into(),
            Self::NotFound => "no such resource".into(),
            Self::MethodNotAllowed { allow } => {
                format!("method not allowed; this resource takes {allow}")
            }
            Self::LastAdmin => {
                "this would leave no active admin; promote another admin first".into()
            }
            Self::Conflict(message) | Self::Validation(message) | Self::BadRequest(message) => {
                message.clone()
            }
            Self::PayloadTooLarge => "request body too large".into(),
            Self::UnsupportedMediaType => "request body must be application/json".into(),
            Self::RateLimited { retry_after_secs } => {
                format!("too many failed attempts; retry in {retry_after_secs} seconds")
            }
            Self::Unavailable(_) => "temporarily unavailable; retry shortly".into(),
            Self::Internal(_) => "internal error".into(),
        }
    }

    /// Whether this refusal means "this session cookie is dead": the cookie layer then
    /// tells the browser to forget it.
    pub fn kills_cookie(&self) -> bool {
        matches!(
            self,
            Self::SessionRefused(_) | Self::Unauthorized(ErrorCode::UserInactive)
        )
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Unauthorized(_) | Self::SessionRefused(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) | Self::NotAllowed(_) => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) | Self::LastAdmin => StatusCode::CONFLICT,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Internal(cause) => {
                tracing::error!(error.cause_chain = ?cause, "internal error: {cause:#}")
            }
            Self::Unavailable(cause) => {
                tracing::warn!(error.cause_chain = ?cause, "unavailable: {cause:#}")
            }
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CACHE_CONTROL, "no-store"));
        match self {
            Self::RateLimited { retry_after_secs } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            Self::Unavailable(_) => {
                response.insert_header((header::RETRY_AFTER, "1"));
            }
            Self::MethodNotAllowed { allow } => {
                response.insert_header((header::ALLOW, *allow));
            }
            _ => {}
        }
        let mut body = ErrorBody::new(self.code(), self.public_message());
        if let Self::SessionRefused(Rejection::Revoked(reason)) = self {
            body.error.reason = *reason;
        }
        // A server-side failure is reported by reference: the request id leads an
        // operator to the logged cause, which the answer never contains.
        if matches!(self, Self::Internal(_) | Self::Unavailable(_)) {
            body.error.request_id = current_request_id().map(|id| id.to_string());
        }
        response.json(body)
    }
}

impl From<domain::Error> for ApiError {
    /// What each domain refusal means to a client.
    fn from(error: domain::Error) -> Self {
        use domain::Error as E;
        match error {
            E::Rejected(rejection) => Self::SessionRefused(rejection),
            E::InvalidCredentials => Self::Unauthorized(ErrorCode::InvalidCredentials),
            E::AccountInactive => Self::Unauthorized(ErrorCode::UserInactive),
            E::WrongPassword => Self::Forbidden(ErrorCode::InvalidCredentials),
            E::ReauthenticationRequired => Self::Forbidden(ErrorCode::ReauthenticationRequired),
            E::NotFound => Self::NotFound,
            E::NotAllowed(why) => Self::NotAllowed(why),
            E::Conflict(message) => Self::Conflict(message),
            E::LastAdmin => Self::LastAdmin,
            E::Invalid(message) => Self::Validation(message),
            E::ForeignCursor => Self::BadRequest(E::ForeignCursor.to_string()),
            E::RateLimited { retry_after_secs } => Self::RateLimited { retry_after_secs },
            E::Unavailable(cause) => Self::Unavailable(cause),
            E::Internal(cause) => Self::Internal(cause),
        }
    }
}

/// Extractor failures (`web::Json`, `web::Path`, `web::Query`) in the same envelope.
pub fn json_error(error: JsonPayloadError, _: &HttpRequest) -> actix_web::Error {
    let api_error = match error {
        JsonPayloadError::ContentType => ApiError::UnsupportedMediaType,
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
            ApiError::PayloadTooLarge
        }
        JsonPayloadError::Deserialize(error) if error.is_data() => {
            ApiError::BadRequest(format!("invalid JSON body: {error}"))
        }
        other => ApiError::BadRequest(format!("unreadable JSON body: {other}")),
    };
    api_error.into()
}

/// Path parameters are ids: one that does not even parse names nothing that exists.
pub fn path_error(_: PathError, _: &HttpRequest) -> actix_web::Error {
    ApiError::NotFound.into()
}

pub fn query_error(error: QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    ApiError::BadRequest(format!("invalid query string: {error}")).into()
}
