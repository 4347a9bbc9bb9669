//! `ensure`: makes sure the cookie's session has its record.

use chrono::{DateTime, Utc};

use super::{
    CurrentSession, cache_session,
    open::{Opening, new_session, open_session},
    validate::{audit_refusal, cached, check_recorded},
};
use crate::{
    Client, Credential, Domain, Ports, Rejection, Result,
    ports::{Queries as _, Store as _},
};

/// The two answers of `ensure`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ensured {
    Exists,
    Created,
}

/// Makes sure the credential's session has its record, creating it only for a cookie
/// this server minted and only while that cookie could still be valid (a bearer token is
/// only ever handed out for a recorded session). Idempotent by construction: the store
/// records a token at most once, so concurrent calls leave one record, and a revoked or
/// expired tombstone is found, never replaced.
pub async fn ensure<P: Ports>(
    domain: &Domain<P>,
    credential: Option<Credential>,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<(Ensured, CurrentSession)> {
    let credential = credential.ok_or(Rejection::Invalid)?;
    let hash = credential.token().hash();
    if let Some((current, _)) = cached(domain, hash, now).await {
        return Ok((Ensured::Exists, current));
    }
    let mut ensured = Ensured::Exists;
    let mut conn = domain.store.connect().await?;
    let mut found = conn.session_with_user(&hash).await?;
    if found.is_none()
        && let Some(claim) = credential.claim()
    {
        let Some(user) = conn.user(claim.user_id).await? else {
            return Err(
                audit_refusal(domain, &mut conn, Rejection::Invalid, hash, None, client).await,
            );
        };
        if let Err(rejection) = domain.policy.check_claim(claim, &user, now) {
            return Err(audit_refusal(domain, &mut conn, rejection, hash, None, client).await);
        }
        // The opening's transaction takes a connection of its own.
        drop(conn);
        let new = new_session(domain, claim, user.role, client, now);
        let opened = open_session(domain, new, user.role, Opening::Ensure, client, now).await?;
        conn = domain.store.connect().await?;
        found = match opened {
            Some(session) => {
                ensured = Ensured::Created;
                Some((session, user))
            }
            // A concurrent call recorded it between our read and our insert.
            None => conn.session_with_user(&hash).await?,
        };
    }
    let Some(found) = found else {
        return Err(audit_refusal(domain, &mut conn, Rejection::Invalid, hash, None, client).await);
    };
    let (session, user) =
        check_recorded(domain, &mut conn, &credential, hash, found, client, now).await?;
    drop(conn);
    Ok((ensured, cache_session(domain, &session, &user, now).await))
}
