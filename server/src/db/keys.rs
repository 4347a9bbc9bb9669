//! What the database knows of the cookie keys: the fingerprint of the newest configured
//! key (`cookie_key_fingerprint`), and the key earlier versions generated and stored
//! (`server_keys`), retired and kept only until every cookie it sealed has expired.

use chrono::{DateTime, Utc};
use diesel::{dsl::now, prelude::*};
use diesel_async::{AsyncConnection as _, AsyncPgConnection, RunQueryDsl};

use super::schema::{cookie_key_fingerprint, server_keys};

const RETIRED_KEY: &str = "retired_session_cookie";
const STABLE_SECRET: &str = "stable_secret";

/// Records `newest` as the deployment's key fingerprint and returns `true`, unless the
/// recorded fingerprint is one none of `known` has: then it changes nothing and returns
/// `false`. Race-free: concurrent first starts agree on one winner.
pub async fn agree_on_fingerprint(
    conn: &mut AsyncPgConnection,
    newest: &[u8],
    known: &[Vec<u8>],
) -> QueryResult<bool> {
    conn.transaction(async |conn| {
        diesel::insert_into(cookie_key_fingerprint::table)
            .values(cookie_key_fingerprint::fingerprint.eq(newest))
            .on_conflict_do_nothing()
            .execute(conn)
            .await?;
        let recorded: Vec<u8> = cookie_key_fingerprint::table
            .select(cookie_key_fingerprint::fingerprint)
            .for_update()
            .first(conn)
            .await?;
        if !known.contains(&recorded) {
            return Ok(false);
        }
        if recorded != newest {
            diesel::update(cookie_key_fingerprint::table)
                .set((
                    cookie_key_fingerprint::fingerprint.eq(newest),
                    cookie_key_fingerprint::updated_at.eq(now),
                ))
                .execute(conn)
                .await?;
        }
        Ok(true)
    })
    .await
}

/// The key an earlier version stored, if it was retired after `cutoff`; one retired
/// at or before `cutoff` is deleted.
pub async fn retired_key(
    conn: &mut AsyncPgConnection,
    cutoff: DateTime<Utc>,
) -> QueryResult<Option<Vec<u8>>> {
    diesel::delete(
        server_keys::table
            .filter(server_keys::name.eq(RETIRED_KEY))
            .filter(server_keys::created_at.le(cutoff)),
    )
    .execute(conn)
    .await?;
    server_keys::table
        .find(RETIRED_KEY)
        .select(server_keys::secret)
        .first(conn)
        .await
        .optional()
}

/// The deployment's sealed stable secret; `fresh` is stored first when there is none
/// yet. Race-free: concurrent first starts agree on one.
pub async fn stable_secret(conn: &mut AsyncPgConnection, fresh: &[u8]) -> QueryResult<Vec<u8>> {
    diesel::insert_into(server_keys::table)
        .values((
            server_keys::name.eq(STABLE_SECRET),
            server_keys::secret.eq(fresh),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    server_keys::table
        .find(STABLE_SECRET)
        .select(server_keys::secret)
        .first(conn)
        .await
}

/// Replaces the sealed stable secret (resealed with a newer key).
pub async fn reseal_stable_secret(conn: &mut AsyncPgConnection, sealed: &[u8]) -> QueryResult<()> {
    diesel::update(server_keys::table.find(STABLE_SECRET))
        .set(server_keys::secret.eq(sealed))
        .execute(conn)
        .await?;
    Ok(())
}
