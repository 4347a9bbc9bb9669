//! The session cookie: an actix-session private (AES-GCM encrypted) cookie carrying the
//! token, the user id and the issue time (a [`SessionClaim`]). Only the server can mint
//! or read one.

use actix_session::{
    Session, SessionExt as _, SessionMiddleware,
    config::{CookieContentSecurity, PersistentSession, TtlExtensionPolicy},
    storage::CookieSessionStore,
};
use actix_web::{
    FromRequest, HttpRequest,
    cookie::{Cookie, CookieJar, Key, SameSite, time},
    dev::{Payload, ServiceRequest},
    http::header::{self, HeaderValue},
};
use anyhow::Context as _;
use chrono::DateTime;
use secrecy::ExposeSecret as _;
use std::future::{Ready, ready};

use crate::{
    config::Settings,
    crypto::token::SessionToken,
    db::{DbPool, keys},
    domain::sessions::SessionClaim,
    error::ApiError,
};

const TOKEN: &str = "token";
const USER_ID: &str = "user_id";
const ISSUED_AT: &str = "issued_at";
const KEY_NAME: &str = "session_cookie";

/// The cookie key: derived from `SESSION_SECRET`, or generated once and kept in the
/// database so that restarts and other instances read the same cookies.
pub async fn load_key(settings: &Settings, db: &DbPool) -> anyhow::Result<Key> {
    if let Some(secret) = &settings.session_secret {
        let secret = secret.expose_secret().as_bytes();
        anyhow::ensure!(
            secret.len() >= 32,
            "SESSION_SECRET must be at least 32 bytes"
        );
        return Ok(Key::derive_from(secret));
    }
    let mut candidate = [0u8; 64];
    getrandom::fill(&mut candidate).map_err(|error| anyhow::anyhow!("OS RNG failed: {error}"))?;
    let mut conn = db.get().await.context("loading the cookie key")?;
    let stored = keys::load_or_store(&mut conn, KEY_NAME, &candidate)
        .await
        .context("loading the cookie key")?;
    Key::try_from(stored.as_slice()).context("stored cookie key is too short")
}

pub fn middleware(settings: &Settings, key: Key) -> SessionMiddleware<CookieSessionStore> {
    let lifetime =
        time::Duration::seconds(i64::try_from(settings.session_ttl.as_secs()).unwrap_or(i64::MAX));
    SessionMiddleware::builder(CookieSessionStore::default(), key)
        .cookie_name(settings.cookie_name().to_owned())
        .cookie_secure(settings.cookie_secure)
        .cookie_http_only(true)
        .cookie_same_site(SameSite::Lax)
        .cookie_path("/".to_owned())
        .cookie_domain(None)
        .cookie_content_security(CookieContentSecurity::Private)
        .session_lifecycle(
            PersistentSession::default()
                .session_ttl(lifetime)
                .session_ttl_extension_policy(TtlExtensionPolicy::OnStateChanges),
        )
        .build()
}

/// A cookie that makes the browser forget the session cookie.
pub fn removal(settings: &Settings) -> Cookie<'static> {
    let mut cookie = Cookie::build(settings.cookie_name(), "")
        .path("/")
        .http_only(true)
        .secure(settings.cookie_secure)
        .same_site(SameSite::Lax)
        .finish();
    cookie.make_removal();
    cookie
}

/// When a request carries several cookies named `name` (a sibling subdomain can set one
/// for the parent domain), keeps the first one `key` can decrypt and drops the others,
/// so a planted cookie can neither shadow the real session nor get it cleared. With at
/// most one such cookie, or none readable, the request is left as it came.
pub fn keep_readable_session_cookie(req: &mut ServiceRequest, name: &str, key: &Key) {
    let is_ours = |pair: &str| pair.split_once('=').is_some_and(|(n, _)| n.trim() == name);
    // Every API request passes here: count without allocating, rebuild only when needed.
    if cookie_pairs(req).filter(|pair| is_ours(pair)).count() < 2 {
        return;
    }
    let pairs: Vec<String> = cookie_pairs(req).map(str::to_owned).collect();
    let readable = pairs.iter().position(|pair| {
        let Ok(cookie) = Cookie::parse_encoded(pair.as_str()) else {
            return false;
        };
        let mut jar = CookieJar::new();
        jar.add_original(cookie.into_owned());
        jar.private(key).get(name).is_some()
    });
    let Some(readable) = readable else {
        return;
    };
    let kept: Vec<&str> = pairs
        .iter()
        .enumerate()
        .filter(|(index, pair)| *index == readable || !is_ours(pair))
        .map(|(_, pair)| pair.as_str())
        .collect();
    if let Ok(value) = HeaderValue::from_str(&kept.join("; ")) {
        req.headers_mut().insert(header::COOKIE, value);
    }
}

/// The `name=value` pairs of every `Cookie` header of `req`.
fn cookie_pairs(req: &ServiceRequest) -> impl Iterator<Item = &str> {
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .map(str::trim)
        .filter(|pair| !pair.is_empty())
}

/// Typed access to the cookie's contents.
pub struct TypedSession(Session);

impl TypedSession {
    /// The claim, or `None` when there is no cookie or it does not hold one of ours.
    pub fn claim(&self) -> Option<SessionClaim> {
        let token = self.0.get::<String>(TOKEN).ok()??;
        Some(SessionClaim {
            token: SessionToken::decode(&token)?,
            user_id: self.0.get(USER_ID).ok()??,
            issued_at: DateTime::from_timestamp_micros(self.0.get(ISSUED_AT).ok()??)?,
        })
    }

    /// Replaces whatever the cookie held with a freshly minted claim.
    pub fn start(&self, claim: &SessionClaim) -> Result<(), ApiError> {
        self.0.renew();
        self.0.clear();
        self.0
            .insert(TOKEN, claim.token.encode())
            .and_then(|()| self.0.insert(USER_ID, claim.user_id))
            .and_then(|()| self.0.insert(ISSUED_AT, claim.issued_at.timestamp_micros()))
            .map_err(|error| ApiError::Internal(anyhow::anyhow!("writing session cookie: {error}")))
    }

    /// Clears the cookie in the response.
    pub fn end(&self) {
        self.0.purge();
    }
}

impl FromRequest for TypedSession {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self(req.get_session())))
    }
}
