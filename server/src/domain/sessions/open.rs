//! Opening a session: the one transaction that records a new session, whether at login
//! or when `ensure` records a cookie's session.

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection as _, AsyncPgConnection};
use hallpass_shared::{EventKind, RevokedReason, UserId};
use serde_json::json;

use super::{SessionClaim, devices::Fingerprints, uncache_and_count_revoked};
use crate::{
    crypto::token::TokenHash,
    db::{
        events,
        sessions::{NewSession, SessionRow},
        stored::Stored,
        users::UserRow,
    },
    domain::{Client, Domain, Error, Result, audit, user_agent},
};

/// How the session comes to be recorded.
pub(super) enum Opening {
    /// A login; the browser's previous session, if it presented one, ends. The device
    /// cookie the browser holds from now on helps recognise it (see [`devices`]).
    Login {
        previous: Option<TokenHash>,
        device_cookie_id: String,
    },
    /// `ensure` records the session of a cookie that has no record yet.
    Ensure,
    /// The browser that changed the password continues in a new session (new token).
    PasswordChange,
}

/// The record of the claim's session, made from the client's address and user agent.
pub(super) fn new_session(
    domain: &Domain,
    claim: &SessionClaim,
    hash: TokenHash,
    client: &Client,
    now: DateTime<Utc>,
) -> NewSession {
    let platform = user_agent::parse(client.user_agent());
    NewSession {
        user_id: claim.user_id.0,
        token_hash: hash.hex(),
        ip_address: client.ip(),
        user_agent: client.user_agent().to_owned(),
        device: Stored(platform.device),
        browser: platform.browser,
        os: platform.os,
        created: claim.issued_at,
        last_seen_at: now,
        expires_at: domain.policy.expiry_of_claim(claim),
        place: domain.geoip.locate(client.ip_addr()).into(),
        new_device: false,
    }
}

/// Records `new` in one transaction with its audit events, retiring the user's oldest
/// sessions beyond the per-user limit (and, at login, the browser's previous session);
/// then drops the retired ones from the cache. A login is marked as from a new device
/// when the account's known devices do not include it, and its device becomes known. `None` when a session with this token is
/// already recorded (a concurrent `ensure` won): nothing is written then.
pub(super) async fn open_session(
    domain: &Domain,
    conn: &mut AsyncPgConnection,
    mut new: NewSession,
    opening: Opening,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<Option<SessionRow>> {
    let limit = domain.policy.max_per_user;
    let opened = conn
        .transaction::<_, Error, _>(async move |conn| {
            let mut retired = match &opening {
                Opening::Login {
                    previous: Some(previous),
                    ..
                } => end_previous(conn, previous, now).await?,
                _ => Vec::new(),
            };
            let user_id = UserId(new.user_id);
            let sign_in = match &opening {
                Opening::Login {
                    device_cookie_id, ..
                } => Some(Fingerprints::of(&new, Some(device_cookie_id))),
                _ => None,
            };
            if let Some(sign_in) = &sign_in {
                new.new_device = sign_in.are_new(conn, user_id, now).await?;
            }
            let Some(row) = new.insert_if_absent(conn).await? else {
                return Ok(None);
            };
            // A sign-in (only sign-ins have fingerprints): remember the device, and when.
            if let Some(sign_in) = &sign_in {
                sign_in.remember(conn, user_id, now).await?;
                UserRow::signed_in(conn, user_id, now).await?;
            }
            retired.extend(SessionRow::revoke_beyond_limit(conn, row.user_id, limit, now).await?);
            let mut log = Vec::new();
            let via = match opening {
                Opening::Login { .. } => {
                    log.push(
                        audit::event(
                            EventKind::LoginSucceeded,
                            Some(row.user_id),
                            Some(row.id),
                            Some(client),
                            json!({}),
                        )
                        .at(&row.place, row.new_device),
                    );
                    "login"
                }
                Opening::Ensure => "ensure",
                Opening::PasswordChange => "password_change",
            };
            log.push(
                audit::event(
                    EventKind::SessionCreated,
                    Some(row.user_id),
                    Some(row.id),
                    Some(client),
                    json!({ "via": via }),
                )
                .at(&row.place, false),
            );
            log.extend(audit::revocations(
                &retired,
                Some(row.user_id),
                Some(client),
            ));
            events::insert_all(conn, &log).await?;
            Ok(Some((row, retired)))
        })
        .await?;
    let Some((row, retired)) = opened else {
        return Ok(None);
    };
    uncache_and_count_revoked(domain, &retired).await;
    Ok(Some(row))
}

/// Revokes the session a browser held before logging in again (reason `logout`).
async fn end_previous(
    conn: &mut AsyncPgConnection,
    previous: &TokenHash,
    now: DateTime<Utc>,
) -> Result<Vec<SessionRow>> {
    let Some(row) = SessionRow::find_by_hash(conn, &previous.hex())
        .await?
        .filter(|row| row.is_active)
    else {
        return Ok(Vec::new());
    };
    let revoked =
        SessionRow::revoke(conn, row.id, Some(row.user_id), RevokedReason::Logout, now).await?;
    Ok(revoked.into_iter().collect())
}
