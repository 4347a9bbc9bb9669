//! The session cookie: a [`SessionClaim`] sealed with the newest cookie key
//! ([`CookieKeys`]), so only the server can mint or read one.
//!
//! The API layer opens the request's cookie once ([`SessionCookies::open_request`]);
//! handlers read the claim and ask for a new cookie or its removal through the
//! [`SessionCookie`] extractor; on the way out [`SessionCookies::finish`] writes what
//! was asked, clears a cookie the answer declared dead, and reseals a cookie an older
//! key opened. The payload keeps the shape earlier versions (actix-session) wrote, so
//! their cookies stay valid across the upgrade.

use std::{
    borrow::Cow,
    collections::HashMap,
    future::{Ready, ready},
};

use actix_web::{
    FromRequest, HttpMessage as _, HttpRequest,
    cookie::{Cookie, CookieBuilder, SameSite, time},
    dev::{Payload, ServiceRequest, ServiceResponse},
    http::header,
};
use chrono::{DateTime, TimeDelta, Utc};
use percent_encoding::percent_decode_str;
use serde::Deserialize;

use hallpass_core::SessionToken;

use super::{
    cookie_keys::{CookieKeys, Opener},
    stable_secret::{Purpose, StableSecret},
};
use crate::{
    config::Settings,
    domain::{Credential, SessionClaim, throttle::DeviceClaim},
    error::ApiError,
};

const TOKEN: &str = "token";
const USER_ID: &str = "user_id";
const ISSUED_AT: &str = "issued_at";
const LIFETIME: &str = "lifetime";
const SHARED_DEVICE: &str = "shared_device";
const DEVICE_ID: &str = "device";
const DEVICE_ACCOUNT: &str = "account";
/// How long the browser keeps the device cookie (browsers cap cookies at 400 days).
const DEVICE_LIFETIME: time::Duration = time::Duration::days(400);

/// The session cookie's keys and attributes, and those of the device cookie (see
/// [`DeviceClaim`]), sealed with a key of its own.
pub struct SessionCookies {
    keys: CookieKeys,
    /// The device cookies' key, derived from the stable secret: a rotation of the
    /// session keys keeps every device.
    device_keys: CookieKeys,
    name: &'static str,
    device_name: &'static str,
    secure: bool,
    /// `COOKIE_DOMAIN`: the cookies are shared with this domain's subdomains.
    domain: Option<String>,
    /// The browser keeps a cookie without a recorded lifetime this long.
    default_lifetime: TimeDelta,
}

/// The session credential of one request, from the layer that reads it to the handler
/// that uses or changes it and back: the one value they share. Actix has no other channel
/// between a middleware and a handler than the request's extensions, so it rides there,
/// and nothing else of the credential does.
#[derive(Default)]
struct CookieState {
    /// The cookie the request brought, opened.
    opened: Option<Opened>,
    /// Whether the request brings `Authorization: Bearer …`, which takes precedence over
    /// any cookie: such a request is authenticated by its token alone (none, when the
    /// token does not read) and answered without cookies.
    bearer_header: bool,
    /// That header's token.
    bearer: Option<SessionToken>,
    /// What the handler asked the answer to do with the cookie.
    change: Option<Change>,
}

/// The request's session cookie, opened.
#[derive(Clone)]
struct Opened {
    claim: SessionClaim,
    opener: Opener,
}

/// What a handler asked to do with the cookie.
#[derive(Clone)]
enum Change {
    Start(SessionClaim),
    End,
}

impl SessionCookies {
    pub fn new(keys: CookieKeys, stable: &StableSecret, settings: &Settings) -> Self {
        Self {
            keys,
            device_keys: CookieKeys::from_key(&stable.derive(Purpose::DeviceCookies)),
            name: settings.cookie_name(),
            device_name: settings.device_cookie_name(),
            secure: settings.cookie_secure,
            domain: settings.cookie_domain.clone(),
            default_lifetime: TimeDelta::from_std(settings.session_ttl).unwrap_or(TimeDelta::MAX),
        }
    }

    /// Opens the first session cookie of `req` one of the keys opens, for the handler
    /// ([`SessionCookie`]) and for [`SessionCookies::finish`]. When several arrive (a
    /// sibling subdomain can plant one for the parent domain), a planted one can neither
    /// shadow the real one nor clear it.
    pub fn open_request(&self, req: &ServiceRequest) {
        let opened = cookie_pairs(req)
            .filter(|(name, _)| name == self.name)
            .find_map(|(_, value)| self.open(&value));
        let header = bearer_token(req.headers());
        req.extensions_mut().insert(CookieState {
            opened,
            bearer_header: header.is_some(),
            bearer: header.and_then(SessionToken::from_bearer),
            change: None,
        });
    }

    fn open(&self, sealed: &str) -> Option<Opened> {
        let (plain, opener) = self.keys.open_session_cookie(self.name, sealed)?;
        let mut claim = parse_claim(&plain)?;
        if opener == Opener::Retired {
            claim.lifetime = None;
        }
        Some(Opened { claim, opener })
    }

    /// Writes the cookie the handler asked for; otherwise clears a cookie the answer
    /// declared dead (a refused session, see [`ApiError::kills_cookie`]), or reseals
    /// with the newest key a valid cookie an older key opened.
    pub fn finish<B>(
        &self,
        res: &mut ServiceResponse<B>,
        now: DateTime<Utc>,
    ) -> Result<(), actix_web::Error> {
        let state = res
            .request()
            .extensions_mut()
            .remove::<CookieState>()
            .unwrap_or_default();
        let dead = res
            .response()
            .error()
            .and_then(|error| error.as_error::<ApiError>())
            .is_some_and(ApiError::kills_cookie);
        if state.bearer_header {
            return Ok(());
        }
        let cookie = match state.change {
            Some(Change::Start(claim)) => Some(self.sealed(&claim, now)?),
            Some(Change::End) => Some(self.removal()),
            None if dead && res.request().cookie(self.name).is_some() => Some(self.removal()),
            None => state
                .opened
                .filter(|opened| opened.opener != Opener::Newest)
                .filter(|_| res.status().is_success())
                .map(|opened| self.sealed(&opened.claim, now))
                .transpose()?,
        };
        if let Some(cookie) = cookie {
            res.response_mut().add_cookie(&cookie)?;
        }
        Ok(())
    }

    /// The device cookie `req` brought, if the device key opens it. (Device cookies
    /// sealed with the session keys, before they had their own, name accounts by hashes
    /// the throttle no longer makes: they would not count anyway, and are replaced at
    /// their next sign-in.)
    pub fn device_of(&self, req: &HttpRequest) -> Option<DeviceClaim> {
        let sealed = req.cookie(self.device_name)?;
        let (plain, _) = self.device_keys.open(self.device_name, sealed.value())?;
        let fields: HashMap<String, String> = serde_json::from_str(&plain).ok()?;
        Some(DeviceClaim {
            id: fields.get(DEVICE_ID)?.clone(),
            account: fields.get(DEVICE_ACCOUNT)?.clone(),
        })
    }

    /// The device cookie holding `device`, sealed: HttpOnly, and kept for 400 days.
    pub fn device_cookie(&self, device: &DeviceClaim) -> Result<Cookie<'static>, ApiError> {
        let fields = HashMap::from([
            (DEVICE_ID, device.id.as_str()),
            (DEVICE_ACCOUNT, device.account.as_str()),
        ]);
        let sealed = self.device_keys.seal(self.device_name, &json(&fields))?;
        Ok(self
            .attributes(self.device_name, sealed)
            .max_age(DEVICE_LIFETIME)
            .finish())
    }

    /// `claim` sealed, kept by the browser until the claim's lifetime runs out; a shared
    /// computer's without `Max-Age` or `Expires`, so that it ends with the browser.
    pub fn sealed(
        &self,
        claim: &SessionClaim,
        now: DateTime<Utc>,
    ) -> Result<Cookie<'static>, ApiError> {
        let sealed = self.keys.seal(self.name, &payload(claim))?;
        let cookie = self.attributes(self.name, sealed);
        if claim.shared_device {
            return Ok(cookie.finish());
        }
        let lifetime = claim.lifetime.unwrap_or(self.default_lifetime);
        // Whole seconds, rounded up: a cookie minted now lives its full lifetime.
        let left = ((claim.issued_at + lifetime - now).num_milliseconds() + 999).max(0) / 1000;
        Ok(cookie.max_age(time::Duration::seconds(left)).finish())
    }

    /// A cookie that makes the browser forget the session cookie.
    fn removal(&self) -> Cookie<'static> {
        let mut cookie = self.attributes(self.name, String::new()).finish();
        cookie.make_removal();
        cookie
    }

    /// The attributes every cookie of ours has: the whole site, HttpOnly, SameSite=Lax,
    /// and Secure when configured.
    fn attributes(&self, name: &'static str, value: String) -> CookieBuilder<'static> {
        let cookie = Cookie::build(name, value)
            .path("/")
            .http_only(true)
            .secure(self.secure)
            .same_site(SameSite::Lax);
        match &self.domain {
            Some(domain) => cookie.domain(domain.clone()),
            None => cookie,
        }
    }
}

/// The `name=value` pairs of every `Cookie` header of `req`, percent-decoded. Read
/// here rather than by parsing every cookie into a [`Cookie`]: this runs on every request.
fn cookie_pairs(req: &ServiceRequest) -> impl Iterator<Item = (Cow<'_, str>, Cow<'_, str>)> {
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.split_once('='))
        .filter_map(|(name, value)| Some((percent_decoded(name)?, percent_decoded(value)?)))
}

/// `text` trimmed and percent-decoded (checked for a `%` first: decoding scans byte by
/// byte, and a session cookie has none).
fn percent_decoded(text: &str) -> Option<Cow<'_, str>> {
    let text = text.trim();
    if !text.contains('%') {
        return Some(Cow::Borrowed(text));
    }
    percent_decode_str(text).decode_utf8().ok()
}

/// The plain payload: a JSON object whose values are JSON texts (the shape
/// actix-session wrote, kept so that its cookies stay readable).
fn payload(claim: &SessionClaim) -> String {
    let mut fields = HashMap::from([
        (TOKEN, json(&claim.token.encode())),
        (USER_ID, json(&claim.user_id)),
        (ISSUED_AT, json(&claim.issued_at.timestamp_micros())),
    ]);
    if let Some(lifetime) = claim.lifetime {
        fields.insert(LIFETIME, json(&lifetime.num_seconds()));
    }
    if claim.shared_device {
        fields.insert(SHARED_DEVICE, json(&true));
    }
    json(&fields)
}

fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// The payload's fields, each a JSON text (see [`payload`]), borrowed where no escape
/// had to be undone.
#[derive(Deserialize)]
struct PayloadFields<'a> {
    #[serde(borrow)]
    token: Cow<'a, str>,
    #[serde(borrow)]
    user_id: Cow<'a, str>,
    #[serde(borrow)]
    issued_at: Cow<'a, str>,
    #[serde(borrow, default)]
    lifetime: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    shared_device: Option<Cow<'a, str>>,
}

fn parse_claim(payload: &str) -> Option<SessionClaim> {
    fn field<'a, T: Deserialize<'a>>(text: &'a str) -> Option<T> {
        serde_json::from_str(text).ok()
    }
    let fields: PayloadFields<'_> = serde_json::from_str(payload).ok()?;
    Some(SessionClaim {
        token: SessionToken::decode(&field::<Cow<'_, str>>(&fields.token)?)?,
        user_id: field(&fields.user_id)?,
        issued_at: DateTime::from_timestamp_micros(field(&fields.issued_at)?)?,
        lifetime: match &fields.lifetime {
            None => None,
            Some(seconds) => Some(TimeDelta::try_seconds(field(seconds)?)?),
        },
        shared_device: match &fields.shared_device {
            None => false,
            Some(flag) => field(flag)?,
        },
    })
}

/// The token of an `Authorization: Bearer …` header, if the request has one.
pub fn bearer_token(headers: &header::HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// A handler's access to the request's session credential (the cookie's claim, or a
/// bearer token), and to what the answer should do with the cookie.
pub struct SessionCookie(HttpRequest);

impl SessionCookie {
    pub fn of(req: &HttpRequest) -> Self {
        Self(req.clone())
    }

    /// The cookie's claim, or `None` when there is no cookie or no key opens it.
    pub fn claim(&self) -> Option<SessionClaim> {
        let extensions = self.0.extensions();
        let opened = extensions.get::<CookieState>()?.opened.as_ref()?;
        Some(opened.claim.clone())
    }

    /// What the request presents as its session: its bearer token if it has one, else
    /// its cookie's claim.
    pub fn credential(&self) -> Option<Credential> {
        let extensions = self.0.extensions();
        let state = extensions.get::<CookieState>()?;
        if state.bearer_header {
            return state.bearer.clone().map(Credential::Bearer);
        }
        let opened = state.opened.as_ref()?;
        Some(Credential::Cookie(opened.claim.clone()))
    }

    /// Whether the request is authenticated by a bearer token (and so answered without
    /// cookies).
    pub fn is_bearer(&self) -> bool {
        let extensions = self.0.extensions();
        extensions
            .get::<CookieState>()
            .is_some_and(|state| state.bearer_header)
    }

    /// The answer sets a new cookie holding `claim`.
    pub fn start(&self, claim: &SessionClaim) {
        self.change(Change::Start(claim.clone()));
    }

    /// The answer clears the cookie.
    pub fn end(&self) {
        self.change(Change::End);
    }

    fn change(&self, change: Change) {
        let mut extensions = self.0.extensions_mut();
        match extensions.get_mut::<CookieState>() {
            Some(state) => state.change = Some(change),
            None => {
                extensions.insert(CookieState {
                    change: Some(change),
                    ..CookieState::default()
                });
            }
        }
    }
}

impl FromRequest for SessionCookie {
    type Error = std::convert::Infallible;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self::of(req)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_round_trip_with_and_without_a_recorded_lifetime() {
        let user_id = hallpass_shared::UserId(uuid::Uuid::new_v4());
        let now = DateTime::from_timestamp_micros(1_800_000_000_123_456).unwrap();
        let claim = SessionClaim::mint(user_id, now, TimeDelta::days(30)).unwrap();
        let parsed = parse_claim(&payload(&claim)).unwrap();
        assert!(parsed.token == claim.token);
        assert_eq!(
            (parsed.user_id, parsed.issued_at, parsed.lifetime),
            (user_id, now, Some(TimeDelta::days(30)))
        );
        assert!(!parsed.shared_device);
        let shared = SessionClaim {
            shared_device: true,
            ..claim.clone()
        };
        assert!(
            parse_claim(&payload(&shared)).unwrap().shared_device,
            "a reseal keeps a shared computer's cookie a browser-session cookie"
        );
        let unrecorded = SessionClaim {
            lifetime: None,
            ..claim
        };
        assert_eq!(parse_claim(&payload(&unrecorded)).unwrap().lifetime, None);
    }

    #[test]
    fn cookies_of_earlier_versions_are_read() {
        // What actix-session wrote for earlier versions: values are JSON texts.
        let token = SessionToken::generate().unwrap().encode();
        let earlier = format!(
            r#"{{"token":"\"{token}\"","user_id":"\"6f1c4c4e-3f0e-4a51-9a4e-0c2b1f1d7a10\"","issued_at":"1800000000000000"}}"#
        );
        let claim = parse_claim(&earlier).unwrap();
        assert_eq!(claim.token.encode(), token);
        assert_eq!(claim.lifetime, None);
        assert!(!claim.shared_device);
        assert!(parse_claim(r#"{"token":"\"short\""}"#).is_none());
        assert!(parse_claim("not json").is_none());
    }
}
