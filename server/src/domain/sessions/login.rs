//! Logging in and changing the password: the two places a password is checked.

use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection as _;
use hallpass_shared::{EventKind, LoginRequest, PasswordChange, RevokedReason, validate};
use secrecy::SecretString;
use serde_json::json;

use super::{
    CurrentSession, Rejection, SessionClaim, cache_session,
    open::{Opening, new_session, open_session},
    uncache_and_count_revoked,
};
use crate::{
    crypto::password,
    db::{
        events::{self, NewEvent},
        sessions::SessionRow,
        users::{ChosenBy, UserRow},
    },
    domain::{
        Client, Domain, Error, Result, audit,
        throttle::{Attempt, DeviceClaim},
    },
    metrics::LoginOutcome,
};

/// What a successful login hands the edge: the session, the claim for the new session
/// cookie, and the device cookie's contents (see [`throttle`](crate::domain::throttle)).
pub struct LoggedIn {
    pub current: CurrentSession,
    pub claim: SessionClaim,
    pub device: DeviceClaim,
}

/// Logs in: refuses hostile input before any work, takes the attempt's slot in the
/// throttle before the password is checked (off the async workers), and records a
/// brand-new session (a new token whatever cookie came in; the browser's previous session,
/// if any, is ended).
pub async fn login(
    domain: &Domain,
    request: LoginRequest,
    client: &Client,
    previous: Option<SessionClaim>,
    device: Option<DeviceClaim>,
    now: DateTime<Utc>,
) -> Result<LoggedIn> {
    validate::login_email(&request.email)
        .and_then(|()| validate::login_password(&request.password))
        .map_err(|invalid| Error::Invalid(invalid.to_string()))?;
    let email = validate::normalize_email(&request.email);
    let attempt = domain.throttle.login(&email, client.ip_addr(), device);
    admit(domain, &attempt, client).await?;
    let user = match authenticate(domain, &email, request.password, client).await {
        Ok(user) => user,
        Err(error @ (Error::InvalidCredentials | Error::AccountInactive)) => {
            domain.metrics.login(LoginOutcome::Failed);
            return Err(error);
        }
        Err(error) => {
            domain.throttle.abandoned(&attempt).await;
            return Err(error);
        }
    };
    domain.throttle.succeeded(&attempt).await;
    domain.metrics.login(LoginOutcome::Succeeded);
    let device = domain.throttle.device_after_success(&attempt)?;
    let claim = SessionClaim::mint(user.id, now, domain.policy.ttl)?;
    let hash = claim.token.hash();
    let new = new_session(domain, &claim, hash, client, now);
    let opening = Opening::Login {
        previous: previous.map(|previous| previous.token.hash()),
        device_cookie_id: device.id.clone(),
    };
    let mut conn = domain.db.get().await?;
    let row = open_session(domain, &mut conn, new, opening, client, now)
        .await?
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("a fresh session token was taken")))?;
    drop(conn);
    let current = cache_session(domain, hash, &row, &user, now).await;
    Ok(LoggedIn {
        current,
        claim,
        device,
    })
}

/// Takes the attempt's slot, or refuses it: 429 with the wait, counted in the metrics,
/// and audited once per account (or device) per minute.
async fn admit(domain: &Domain, attempt: &Attempt, client: &Client) -> Result<()> {
    let Err(retry_after_secs) = domain.throttle.admit(attempt).await else {
        return Ok(());
    };
    domain.metrics.login(LoginOutcome::RateLimited);
    if domain.throttle.first_refusal_in_window(attempt) {
        let detail = json!({ "reason": "rate_limited", "retry_after_secs": retry_after_secs });
        let event = audit::event(EventKind::LoginFailed, None, None, Some(client), detail);
        record(domain, event).await?;
    }
    Err(Error::RateLimited { retry_after_secs })
}

/// The account behind `email` if `password` is its password and it is active. Failures
/// are counted by the throttle and audited; unknown emails and wrong passwords get the
/// same answer after the same work. No database connection is held while hashing.
async fn authenticate(
    domain: &Domain,
    email: &str,
    password: String,
    client: &Client,
) -> Result<UserRow> {
    let user = {
        let mut conn = domain.db.get().await?;
        UserRow::find_by_email(&mut conn, email).await?
    };
    // Longer than any password we accept: never hash megabytes, still answer alike.
    let oversized = password.chars().count() > validate::PASSWORD_MAX_CHARS;
    let password: SecretString = if oversized { String::new() } else { password }.into();
    let stored_hash = user.as_ref().map(|user| user.password_hash.clone());
    let matched = password::verify(stored_hash, password).await? && !oversized;
    match user {
        Some(user) if matched && user.is_active => Ok(user),
        Some(user) if matched => {
            let detail = json!({ "reason": "user_inactive" });
            let event = audit::event(
                EventKind::LoginFailed,
                Some(user.id),
                None,
                Some(client),
                detail,
            );
            record(domain, event).await?;
            Err(Error::AccountInactive)
        }
        user => {
            let detail = json!({ "email": email });
            let user_id = user.map(|user| user.id);
            let event = audit::event(EventKind::LoginFailed, user_id, None, Some(client), detail);
            record(domain, event).await?;
            Err(Error::InvalidCredentials)
        }
    }
}

async fn record(domain: &Domain, event: NewEvent) -> Result<()> {
    let mut conn = domain.db.get().await?;
    events::insert_all(&mut conn, &[event]).await?;
    Ok(())
}

/// Changes the caller's password and, in the same transaction, revokes every session of
/// theirs, this one included; `sessions_valid_after` moves to now, so not even a cookie
/// whose row was lost could be brought back by `ensure`. The browser that changed it
/// continues in a new session with a new token (OWASP ASVS V7: a new token after
/// re-authentication): returns its claim for the new cookie.
pub async fn change_password(
    domain: &Domain,
    current: &CurrentSession,
    change: PasswordChange,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<SessionClaim> {
    validate::password(&change.new_password)
        .map_err(|invalid| Error::Invalid(format!("new_password: {invalid}")))?;
    let attempt = domain.throttle.reauthentication(&current.user.email);
    domain
        .throttle
        .admit(&attempt)
        .await
        .map_err(|retry_after_secs| Error::RateLimited { retry_after_secs })?;
    let user = {
        let mut conn = domain.db.get().await?;
        UserRow::find(&mut conn, current.user.id)
            .await?
            .ok_or(Rejection::Invalid)?
    };
    let stored_hash = Some(user.password_hash.clone());
    if !password::verify(stored_hash, change.current_password.into()).await? {
        return Err(Error::WrongPassword);
    }
    domain.throttle.succeeded(&attempt).await;
    let new_hash = password::hash(change.new_password.into()).await?;
    let (user_id, this) = (user.id, current.session.id);
    let mut conn = domain.db.get().await?;
    let (user, revoked) = conn
        .transaction::<_, Error, _>(async move |conn| {
            let user = UserRow::set_password(conn, user_id, &new_hash, ChosenBy::User, now)
                .await?
                .ok_or(Rejection::Invalid)?;
            let revoked = SessionRow::revoke_all_for_user(
                conn,
                user_id,
                None,
                RevokedReason::PasswordChange,
                now,
            )
            .await?;
            // Every session was signed out; this one is opened again below.
            let others = revoked.iter().filter(|row| row.id != this).count();
            let mut log = vec![audit::event(
                EventKind::PasswordChanged,
                Some(user_id),
                Some(this),
                Some(client),
                json!({ "signed_out": others }),
            )];
            log.extend(audit::revocations(&revoked, Some(user_id), Some(client)));
            events::insert_all(conn, &log).await?;
            Ok((user, revoked))
        })
        .await?;
    uncache_and_count_revoked(domain, &revoked).await;
    let claim = SessionClaim::mint(user_id, now, domain.policy.ttl)?;
    let hash = claim.token.hash();
    let new = new_session(domain, &claim, hash, client, now);
    let row = open_session(domain, &mut conn, new, Opening::PasswordChange, client, now)
        .await?
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("a fresh session token was taken")))?;
    drop(conn);
    cache_session(domain, hash, &row, &user, now).await;
    Ok(claim)
}
