//! `ensure`: makes sure the cookie's session has its record.

use chrono::{DateTime, Utc};

use super::{
    CurrentSession, Rejection, SessionClaim, cache_session,
    open::{Opening, new_session, open_session},
    validate::{audit_refusal, cached, check_recorded},
};
use crate::{
    db::{sessions::SessionRow, users::UserRow},
    domain::{Client, Domain, Result},
};

/// The two answers of `ensure`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ensured {
    Exists,
    Created,
}

/// Makes sure the claim's session has its record, creating it only for a cookie this
/// server minted and only while that cookie could still be valid. Idempotent by
/// construction: the insert is `ON CONFLICT (token_hash) DO NOTHING`, so concurrent calls
/// leave one row, and a revoked or expired tombstone is found, never replaced.
pub async fn ensure(
    domain: &Domain,
    claim: Option<SessionClaim>,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<(Ensured, CurrentSession)> {
    let claim = claim.ok_or(Rejection::Invalid)?;
    let hash = claim.token.hash();
    if let Some((current, _)) = cached(domain, hash, now).await {
        return Ok((Ensured::Exists, current));
    }
    let mut conn = domain.db.get().await?;
    let mut ensured = Ensured::Exists;
    let mut found = SessionRow::find_with_user_by_hash(&mut conn, &hash.hex()).await?;
    if found.is_none() {
        let Some(user) = UserRow::find(&mut conn, claim.user_id).await? else {
            return Err(
                audit_refusal(domain, &mut conn, Rejection::Invalid, hash, None, client).await,
            );
        };
        if let Err(rejection) = domain.policy.check_claim(&claim, &user, now) {
            return Err(audit_refusal(domain, &mut conn, rejection, hash, None, client).await);
        }
        let new = new_session(domain, &claim, hash, client, now);
        found = match open_session(domain, &mut conn, new, Opening::Ensure, client, now).await? {
            Some(row) => {
                ensured = Ensured::Created;
                Some((row, user))
            }
            // A concurrent call recorded it between our read and our insert.
            None => SessionRow::find_with_user_by_hash(&mut conn, &hash.hex()).await?,
        };
    }
    let found = found.ok_or(Rejection::Invalid)?;
    let (row, user) = check_recorded(domain, &mut conn, &claim, hash, found, client, now).await?;
    drop(conn);
    Ok((ensured, cache_session(domain, hash, &row, &user, now).await))
}
