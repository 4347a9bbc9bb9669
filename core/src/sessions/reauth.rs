//! A fresh password before sensitive acts. Each session records when its owner last
//! proved the password in it (its opening, or a re-authentication); an act that could
//! hurt someone else (an admin changing an account, a password or a policy, or signing a
//! user out) needs that proof to be younger than `REAUTH_WINDOW`, so a laptop left
//! unlocked is not enough to take over the school.

use chrono::{DateTime, Utc};
use hallpass_shared::{EventKind, Reauthenticate, validate};
use secrecy::SecretString;
use serde_json::json;

use super::CurrentSession;
use crate::{
    Client, Domain, Error, Ports, Rejection, Result, audit,
    model::User,
    password,
    ports::{Queries as _, Store as _},
};

/// Refuses with [`Error::ReauthenticationRequired`] unless the caller's session proved
/// its owner's password within the window.
pub async fn require_recent_proof<P: Ports>(
    domain: &Domain<P>,
    current: &CurrentSession,
    now: DateTime<Utc>,
) -> Result<()> {
    let session = domain
        .store
        .connect()
        .await?
        .session_by_hash(&current.token_hash)
        .await?
        .ok_or(Rejection::Invalid)?;
    if now - session.authenticated_at > domain.policy.reauth_window {
        return Err(Error::ReauthenticationRequired);
    }
    Ok(())
}

/// The signed-in user proves their password again: judged by the session's own counter
/// (a login flood against the account cannot block it), checked off the async workers,
/// recorded as the session's newest proof and audited (`reauthenticated`); a wrong one
/// is [`Error::InvalidCredentials`], audited as a failed sign-in of this session.
pub async fn reauthenticate<P: Ports>(
    domain: &Domain<P>,
    current: &CurrentSession,
    request: Reauthenticate,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<()> {
    validate::login_password(&request.password)
        .map_err(|invalid| Error::Invalid(format!("password: {invalid}")))?;
    let (user_id, session_id) = (current.user.id, current.session.id);
    let matched = check_password(domain, current, request.password.into())
        .await?
        .is_some();
    let mut tx = domain.store.begin().await?;
    let outcome = async {
        if !matched {
            let detail = json!({ "reason": "reauthentication" });
            let event = audit::event(
                EventKind::LoginFailed,
                Some(user_id),
                Some(session_id),
                Some(client),
                detail,
            );
            tx.record(&[event]).await?;
            return Ok(false);
        }
        if !tx.mark_reauthenticated(session_id, user_id, now).await? {
            return Err(Rejection::Invalid.into());
        }
        let event = audit::event(
            EventKind::Reauthenticated,
            Some(user_id),
            Some(session_id),
            Some(client),
            json!({}),
        );
        tx.record(&[event]).await?;
        Ok(true)
    }
    .await;
    if !tx.finish(outcome).await? {
        return Err(Error::InvalidCredentials);
    }
    Ok(())
}

/// The signed-in user, if `password` is theirs: judged by the session's own counter
/// (reset on success), checked off the async workers. Both re-authentications use it:
/// this one and the password change's.
pub(super) async fn check_password<P: Ports>(
    domain: &Domain<P>,
    current: &CurrentSession,
    password: SecretString,
) -> Result<Option<User>> {
    let attempt = domain.throttle.reauthentication(current.session.id);
    domain
        .throttle
        .admit(&attempt)
        .await
        .map_err(|retry_after_secs| Error::RateLimited { retry_after_secs })?;
    let user = domain
        .store
        .connect()
        .await?
        .user(current.user.id)
        .await?
        .ok_or(Rejection::Invalid)?;
    if !password::verify(Some(user.password_hash.clone()), password).await? {
        return Ok(None);
    }
    domain.throttle.succeeded(&attempt).await;
    Ok(Some(user))
}
