//! Logging in and changing the password: the two places a password is checked.

use chrono::{DateTime, Utc};
use hallpass_shared::{EventKind, LoginRequest, PasswordChange, RevokedReason, UserId, validate};
use secrecy::SecretString;
use serde_json::json;

use super::{
    CurrentSession, cache_session,
    open::{Opening, new_session, open_session},
    reauth, uncache_and_count_revoked,
};
use crate::{
    Client, Domain, Error, Ports, Rejection, Result, SessionClaim, SessionId, audit,
    model::{AuditEvent, ChosenBy, Session, User},
    password,
    ports::{LoginOutcome, Metrics as _, Queries, Store as _},
    throttle::{Attempt, DeviceClaim},
};

/// What a successful login hands the edge: the session, the claim for the new session
/// cookie, and the device cookie's contents (see [`throttle`](crate::domain::throttle));
/// none on a shared computer, where a device cookie would vouch for whoever sits there
/// next.
pub struct LoggedIn {
    pub current: CurrentSession,
    pub claim: SessionClaim,
    pub device: Option<DeviceClaim>,
}

/// Logs in: refuses hostile input before any work, takes the attempt's slot in the
/// throttle before the password is checked (off the async workers), and records a
/// brand-new session (a new token whatever cookie came in; the browser's previous session,
/// if any, is ended).
pub async fn login<P: Ports>(
    domain: &Domain<P>,
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
    let shared_device = request.shared_device;
    // A shared computer's device cookie speaks for nobody in particular.
    let device = device.filter(|_| !shared_device);
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
    let device = if shared_device {
        None
    } else {
        Some(domain.throttle.device_after_success(&attempt)?)
    };
    let lifetime = domain.policy.roles.of(user.role).lifetime;
    let claim = SessionClaim {
        shared_device,
        ..SessionClaim::mint(user.id, now, lifetime)?
    };
    let new = new_session(domain, &claim, user.role, client, now);
    let opening = Opening::Login {
        previous: previous.map(|previous| previous.token.hash()),
        device_cookie_id: device.as_ref().map(|device| device.id.clone()),
    };
    let session = open_session(domain, new, user.role, opening, client, now)
        .await?
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("a fresh session token was taken")))?;
    let current = cache_session(domain, &session, &user, now).await;
    Ok(LoggedIn {
        current,
        claim,
        device,
    })
}

/// Takes the attempt's slot, or refuses it: 429 with the wait, counted in the metrics,
/// and audited once per account (or device) per minute.
async fn admit<P: Ports>(domain: &Domain<P>, attempt: &Attempt, client: &Client) -> Result<()> {
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
async fn authenticate<P: Ports>(
    domain: &Domain<P>,
    email: &str,
    password: String,
    client: &Client,
) -> Result<User> {
    let user = domain.store.connect().await?.user_by_email(email).await?;
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

async fn record<P: Ports>(domain: &Domain<P>, event: AuditEvent) -> Result<()> {
    domain.store.connect().await?.record(&[event]).await
}

/// Changes the caller's password and, in the same transaction, revokes every session of
/// theirs, this one included; `sessions_valid_after` moves to now, so not even a cookie
/// whose row was lost could be brought back by `ensure`. The browser that changed it
/// continues in a new session with a new token (OWASP ASVS V7: a new token after
/// re-authentication): returns its claim for the new cookie.
pub async fn change_password<P: Ports>(
    domain: &Domain<P>,
    current: &CurrentSession,
    change: PasswordChange,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<SessionClaim> {
    validate::password(&change.new_password)
        .map_err(|invalid| Error::Invalid(format!("new_password: {invalid}")))?;
    if change.new_password == change.current_password {
        return Err(Error::Invalid(
            "new_password: must differ from the current password".into(),
        ));
    }
    let user = reauth::check_password(domain, current, change.current_password.into())
        .await?
        .ok_or(Error::WrongPassword)?;
    let new_hash = password::hash(change.new_password.into()).await?;
    let mut tx = domain.store.begin().await?;
    let outcome =
        sign_out_for_new_password(&mut tx, user.id, current.session.id, &new_hash, client, now)
            .await;
    let (user, revoked) = tx.finish(outcome).await?;
    uncache_and_count_revoked(domain, &revoked).await;
    let claim = SessionClaim::mint(user.id, now, domain.policy.roles.of(user.role).lifetime)?;
    let new = new_session(domain, &claim, user.role, client, now);
    let session = open_session(domain, new, user.role, Opening::PasswordChange, client, now)
        .await?
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("a fresh session token was taken")))?;
    cache_session(domain, &session, &user, now).await;
    Ok(claim)
}

/// The steps of a password change's transaction: the new hash, every session of the
/// user signed out (`this` one too: it is opened again afterwards), audited.
async fn sign_out_for_new_password(
    tx: &mut impl Queries,
    user_id: UserId,
    this: SessionId,
    new_hash: &str,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<(User, Vec<Session>)> {
    let user = tx
        .set_password(user_id, new_hash, ChosenBy::User, now)
        .await?
        .ok_or(Rejection::Invalid)?;
    let revoked = tx
        .revoke_sessions_of(user_id, None, RevokedReason::PasswordChange, now)
        .await?;
    // Every session was signed out; this one is opened again by the caller.
    let others = revoked.iter().filter(|session| session.id != this).count();
    let mut log = vec![audit::event(
        EventKind::PasswordChanged,
        Some(user_id),
        Some(this),
        Some(client),
        json!({ "signed_out": others }),
    )];
    log.extend(audit::revocations(&revoked, Some(user_id), Some(client)));
    tx.record(&log).await?;
    Ok((user, revoked))
}
