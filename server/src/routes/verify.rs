//! `GET /api/auth/verify`: forward-auth for the platform's other apps behind nginx
//! (`auth_request`), Caddy (`forward_auth`) or Traefik (ForwardAuth). The proxy asks for
//! every request of the app it guards; Hallpass answers from the session the browser's
//! cookie (or a bearer token) presents, validated as every API request is, and names the
//! user in headers the proxy passes on. See `docs/INTEGRATION.md`.

use std::str::FromStr as _;

use actix_web::{
    HttpRequest, HttpResponse, ResponseError as _,
    http::{
        StatusCode,
        header::{self, HeaderName, HeaderValue},
    },
    web,
};
use chrono::Utc;
use hallpass_shared::{ErrorBody, ErrorCode, Role};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde::Deserialize;

use super::responses::SessionRefusals;
use crate::{
    auth::{cookie::SessionCookie, extract::RequestClient},
    config::Settings,
    domain::sessions::{self, CurrentSession},
    error::ApiError,
    metrics::VerifyResult,
    state::AppState,
};

/// What the proxy may ask of a verification.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VerifyQuery {
    /// Comma-separated roles the app admits (e.g. `teacher,admin`); absent: any role.
    #[param(pattern = "^(student|teacher|admin)(,(student|teacher|admin))*$")]
    role: Option<String>,
    /// `true` for proxies that hand the answer to the browser (Caddy, Traefik): a
    /// browser navigation without a valid session gets 302 to the sign-in page instead
    /// of 401, when it came through a trusted proxy from an allowed origin.
    redirect: Option<bool>,
}

/// The identity headers, as Authelia and authentik name them.
const REMOTE_USER: &str = "remote-user";
const REMOTE_EMAIL: &str = "remote-email";
const REMOTE_NAME: &str = "remote-name";
const REMOTE_GROUPS: &str = "remote-groups";
const REMOTE_SESSION: &str = "remote-session";

/// The answers of a verification, with or without a body, besides the refusals every
/// session route may answer ([`SessionRefusals`]).
#[derive(utoipa::IntoResponses)]
pub enum VerifyAnswers {
    #[response(
        status = 200,
        description = "A valid session, of a listed role when `role` is given; empty body. The user in `Remote-User` (id), `Remote-Email`, `Remote-Name` (UTF-8, percent-encoded where not ASCII), `Remote-Groups` (the role) and `Remote-Session` (the session id)"
    )]
    Allowed,
    #[response(
        status = 302,
        description = "With `redirect=true`: a browser navigation (`Accept: text/html`) without a valid session, from a trusted proxy (`X-Forwarded-Proto`, `-Host`, `-Uri`) whose original URL is on PUBLIC_ORIGIN or FORWARD_AUTH_ORIGINS: to the sign-in page, with `return_to` the original URL"
    )]
    SignIn,
    #[response(status = 400, description = "`bad_request`: a `role` that is not one")]
    BadRole(ErrorBody),
    #[response(
        status = 403,
        description = "`forbidden`: the user's role is not listed in `role` (no identity headers); `password_change_required`: an admin demands a new password first"
    )]
    Forbidden(ErrorBody),
}

/// `HEAD /api/auth/verify?role=&redirect=`: as `GET`, for proxies that ask with `HEAD`.
#[utoipa::path(
    head,
    path = "/api/auth/verify",
    tag = "auth",
    operation_id = "verify_head",
    params(VerifyQuery),
    responses(VerifyAnswers, SessionRefusals),
    security(("session_cookie" = []), ("bearer_token" = []))
)]
pub async fn verify_head(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<VerifyQuery>,
    cookie: SessionCookie,
    client: RequestClient,
) -> Result<HttpResponse, ApiError> {
    verify(req, state, query, cookie, client).await
}

/// `GET /api/auth/verify?role=&redirect=`. **Permissions:** a valid session (cookie or
/// bearer token).
#[utoipa::path(
    get,
    path = "/api/auth/verify",
    tag = "auth",
    params(VerifyQuery),
    responses(VerifyAnswers, SessionRefusals),
    security(("session_cookie" = []), ("bearer_token" = []))
)]
pub async fn verify(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<VerifyQuery>,
    cookie: SessionCookie,
    RequestClient(client): RequestClient,
) -> Result<HttpResponse, ApiError> {
    let admitted = admitted_roles(query.role.as_deref())?;
    let validated =
        sessions::validate(&state.domain, cookie.credential(), &client, Utc::now()).await;
    let metrics = &state.domain.metrics;
    let refusal = match validated {
        Ok(current) if current.user.must_change_password => {
            ApiError::Forbidden(ErrorCode::PasswordChangeRequired)
        }
        Ok(current) if !admitted.is_none_or(|roles| roles.contains(&current.user.role)) => {
            metrics.verified(VerifyResult::Forbidden);
            return Err(ApiError::Forbidden(ErrorCode::Forbidden));
        }
        Ok(current) => {
            metrics.verified(VerifyResult::Allowed);
            return Ok(identity(&current));
        }
        Err(error) => ApiError::from(error),
    };
    let sign_in = (query.redirect == Some(true))
        .then(|| sign_in_redirect(&req, &state.settings))
        .flatten();
    match sign_in {
        Some(location) if sends_to_sign_in(&refusal) => {
            metrics.verified(VerifyResult::Redirected);
            Ok(HttpResponse::Found()
                .insert_header((header::LOCATION, location))
                .finish())
        }
        _ => {
            metrics.verified(VerifyResult::Refused);
            Err(refusal)
        }
    }
}

/// The roles of `?role=`, or `None` for any; 400 for a name that is no role.
fn admitted_roles(listed: Option<&str>) -> Result<Option<Vec<Role>>, ApiError> {
    let Some(listed) = listed else {
        return Ok(None);
    };
    listed
        .split(',')
        .map(|name| {
            Role::from_str(name.trim())
                .map_err(|_| ApiError::BadRequest(format!("role: `{}` is not a role", name.trim())))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// A refusal the browser can do something about by signing in (again).
fn sends_to_sign_in(refusal: &ApiError) -> bool {
    refusal.status_code() == StatusCode::UNAUTHORIZED
        || matches!(
            refusal,
            ApiError::Forbidden(ErrorCode::PasswordChangeRequired)
        )
}

/// 200 with the user in the identity headers and an empty body.
fn identity(current: &CurrentSession) -> HttpResponse {
    let user = &current.user;
    let mut response = HttpResponse::Ok();
    for (name, value) in [
        (REMOTE_USER, user.id.to_string()),
        (REMOTE_EMAIL, header_text(&user.email)),
        (REMOTE_NAME, header_text(&user.name)),
        (REMOTE_GROUPS, user.role.to_string()),
        (REMOTE_SESSION, current.session.id.to_string()),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            response.insert_header((HeaderName::from_static(name), value));
        }
    }
    response.finish()
}

/// What a header value cannot hold, and `%` itself, percent-encoded: `Zoé` → `Zo%C3%A9`.
const NOT_HEADER_TEXT: &AsciiSet = &CONTROLS.add(b'%');

fn header_text(text: &str) -> String {
    utf8_percent_encode(text, NOT_HEADER_TEXT).to_string()
}

/// Where `GET /api/auth/return` may send a browser.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReturnQuery {
    /// The URL the browser was going to when forward-auth sent it to sign in.
    to: Option<String>,
}

/// `GET /api/auth/return?to=`. **Permissions:** anyone.
///
/// Where the sign-in page sends a browser after signing in when it came with a
/// `return_to`: 302 to that URL when its origin is PUBLIC_ORIGIN or listed in
/// FORWARD_AUTH_ORIGINS, else to `/` (never an open redirect).
#[utoipa::path(
    get,
    path = "/api/auth/return",
    tag = "auth",
    params(ReturnQuery),
    responses(
        (status = 302, description = "To `to` when its origin is allowed, else (and without `to`) to `/`")
    ),
    security(())
)]
pub async fn return_to(state: web::Data<AppState>, query: web::Query<ReturnQuery>) -> HttpResponse {
    let allowed = query
        .to
        .as_deref()
        .and_then(|to| url::Url::parse(to).ok())
        .filter(|url| matches!(url.scheme(), "http" | "https"))
        .filter(|url| {
            state
                .settings
                .is_return_origin(&url.origin().ascii_serialization())
        });
    let location = allowed.map_or_else(|| "/".to_owned(), String::from);
    HttpResponse::Found()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// The sign-in page, with the original URL to return to, for a browser navigation that a
/// trusted proxy forwarded from an allowed origin; `None` for anything else (an API call,
/// a request from elsewhere, an origin nobody listed: never an open redirect).
fn sign_in_redirect(req: &HttpRequest, settings: &Settings) -> Option<String> {
    let public_origin = settings.public_origin.as_deref()?;
    let peer = req.peer_addr()?.ip();
    let from_trusted_proxy = settings
        .trusted_proxies
        .iter()
        .any(|net| net.contains(&peer));
    if !from_trusted_proxy || !accepts_html(req) {
        return None;
    }
    let forwarded = |name: &str| req.headers().get(name)?.to_str().ok();
    let proto = forwarded("x-forwarded-proto")?;
    let host = forwarded("x-forwarded-host")?;
    let uri = forwarded("x-forwarded-uri").filter(|uri| uri.starts_with('/'))?;
    let original = url::Url::parse(&format!("{proto}://{host}{uri}")).ok()?;
    if !matches!(original.scheme(), "http" | "https") {
        return None;
    }
    let origin = original.origin().ascii_serialization();
    if !settings.is_return_origin(&origin) {
        return None;
    }
    let return_to: String =
        url::form_urlencoded::byte_serialize(original.as_str().as_bytes()).collect();
    Some(format!(
        "{public_origin}/{}/login?return_to={return_to}",
        locale(req)
    ))
}

fn accepts_html(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// The sign-in page's language: French when the browser prefers it, else English.
fn locale(req: &HttpRequest) -> &'static str {
    let preferred = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|languages| languages.to_str().ok())
        .and_then(|languages| languages.split(',').next())
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if preferred.starts_with("fr") {
        "fr"
    } else {
        "en"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_percent_encoded_where_not_ascii() {
        assert_eq!(header_text("Zoé Durand"), "Zo%C3%A9 Durand");
        assert_eq!(header_text("100% Ada"), "100%25 Ada");
        assert_eq!(header_text("plain@school.example"), "plain@school.example");
    }

    #[test]
    fn roles_are_read_from_a_list() {
        assert_eq!(admitted_roles(None).unwrap(), None);
        assert_eq!(
            admitted_roles(Some("teacher, admin")).unwrap(),
            Some(vec![Role::Teacher, Role::Admin])
        );
        assert!(admitted_roles(Some("teacher,janitor")).is_err());
    }
}
