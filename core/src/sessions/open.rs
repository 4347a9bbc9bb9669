//! Opening a session: the one transaction that records a new session, whether at login
//! or when `ensure` records a cookie's session.

use chrono::{DateTime, Utc};
use hallpass_shared::{EventKind, RevokedReason, Role};
use serde_json::json;

use super::{devices::Fingerprints, uncache_and_count_revoked};
use crate::{
    Client, Domain, Ports, Result, SessionClaim, audit,
    model::{NewSession, Session},
    ports::{Locator as _, Queries, Store as _},
    token::TokenHash,
    user_agent,
};

/// How the session comes to be recorded.
pub(super) enum Opening {
    /// A login; the browser's previous session, if it presented one, ends. The device
    /// cookie the browser holds from now on helps recognise it (see [`devices`]); on a
    /// shared computer there is none, and the device is not learned.
    Login {
        previous: Option<TokenHash>,
        device_cookie_id: Option<String>,
    },
    /// `ensure` records the session of a cookie that has no record yet.
    Ensure,
    /// The browser that changed the password continues in a new session (new token).
    PasswordChange,
}

/// The record of the claim's session, made from the client's address and user agent.
pub(super) fn new_session<P: Ports>(
    domain: &Domain<P>,
    claim: &SessionClaim,
    role: Role,
    client: &Client,
    now: DateTime<Utc>,
) -> NewSession {
    let platform = user_agent::parse(client.user_agent());
    NewSession {
        user_id: claim.user_id,
        token_hash: claim.token.hash(),
        ip_address: client.ip(),
        user_agent: client.user_agent().to_owned(),
        device: platform.device,
        browser: platform.browser,
        os: platform.os,
        created: claim.issued_at,
        last_seen_at: now,
        expires_at: domain.policy.expiry_of_claim(claim, role),
        location: domain.locator.locate(client.ip_addr()),
        new_device: false,
        shared_device: claim.shared_device,
    }
}

/// Records `new` in one transaction with its audit events, retiring the user's oldest
/// sessions beyond their `role`'s limit (and, at login, the browser's previous session);
/// then drops the retired ones from the cache. A login is marked as from a new device
/// when the account's known devices do not include it, and its device becomes known.
/// `None` when a session with this token is already recorded (a concurrent `ensure`
/// won): nothing is written then.
pub(super) async fn open_session<P: Ports>(
    domain: &Domain<P>,
    new: NewSession,
    role: Role,
    opening: Opening,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<Option<Session>> {
    let limit = domain.policy.roles.of(role).max_sessions;
    let mut tx = domain.store.begin().await?;
    let outcome = record_opening(&mut tx, new, opening, limit, client, now).await;
    let Some((session, retired)) = tx.finish(outcome).await? else {
        return Ok(None);
    };
    uncache_and_count_revoked(domain, &retired).await;
    Ok(Some(session))
}

/// The steps of [`open_session`]'s transaction: the new session, and the sessions it
/// retired.
async fn record_opening(
    tx: &mut impl Queries,
    mut new: NewSession,
    opening: Opening,
    limit: u32,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<Option<(Session, Vec<Session>)>> {
    let mut retired = match &opening {
        Opening::Login {
            previous: Some(previous),
            ..
        } => end_previous(tx, previous, now).await?,
        _ => Vec::new(),
    };
    let sign_in = match &opening {
        Opening::Login {
            device_cookie_id, ..
        } => Some(Fingerprints::of(&new, device_cookie_id.as_deref())),
        _ => None,
    };
    if let Some(sign_in) = &sign_in {
        new.new_device = sign_in.are_new(tx, new.user_id, now).await?;
    }
    let Some(session) = tx.insert_session_if_absent(&new).await? else {
        return Ok(None);
    };
    // A sign-in (only sign-ins have fingerprints): remember the device, and when.
    if let Some(sign_in) = &sign_in {
        // A shared computer is everyone's: it is not learned for anyone.
        if !session.shared_device {
            sign_in.remember(tx, &session, now).await?;
        }
        tx.record_sign_in(session.user_id, now).await?;
    }
    retired.extend(tx.revoke_beyond_limit(session.user_id, limit, now).await?);
    let mut log = Vec::new();
    let via = match opening {
        Opening::Login { .. } => {
            log.push(
                audit::event(
                    EventKind::LoginSucceeded,
                    Some(session.user_id),
                    Some(session.id),
                    Some(client),
                    json!({}),
                )
                .at(session.location.as_ref(), session.new_device),
            );
            "login"
        }
        Opening::Ensure => "ensure",
        Opening::PasswordChange => "password_change",
    };
    log.push(
        audit::event(
            EventKind::SessionCreated,
            Some(session.user_id),
            Some(session.id),
            Some(client),
            json!({ "via": via }),
        )
        .at(session.location.as_ref(), false),
    );
    log.extend(audit::revocations(
        &retired,
        Some(session.user_id),
        Some(client),
    ));
    tx.record(&log).await?;
    Ok(Some((session, retired)))
}

/// Revokes the session a browser held before logging in again (reason `logout`).
async fn end_previous(
    tx: &mut impl Queries,
    previous: &TokenHash,
    now: DateTime<Utc>,
) -> Result<Vec<Session>> {
    let Some(session) = tx
        .session_by_hash(previous)
        .await?
        .filter(|session| session.is_active)
    else {
        return Ok(Vec::new());
    };
    let revoked = tx
        .revoke_session(
            session.id,
            Some(session.user_id),
            RevokedReason::Logout,
            now,
        )
        .await?;
    Ok(revoked.into_iter().collect())
}
