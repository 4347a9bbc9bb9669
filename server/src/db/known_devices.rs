//! The `known_devices` table: what each account has signed in from, and when last (see
//! [`crate::domain::sessions::devices`]).

use chrono::{DateTime, Utc};
use diesel::{prelude::*, upsert::excluded};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use hallpass_shared::UserId;

use super::schema::known_devices;

/// Whether `user_id` signed in with any of `fingerprints` since `since`.
pub async fn any_seen_since(
    conn: &mut AsyncPgConnection,
    user_id: UserId,
    fingerprints: &[String],
    since: DateTime<Utc>,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        known_devices::table
            .filter(known_devices::user_id.eq(user_id.0))
            .filter(known_devices::fingerprint.eq_any(fingerprints))
            .filter(known_devices::last_seen_at.gt(since)),
    ))
    .get_result(conn)
    .await
}

/// Records that `user_id` signed in with `fingerprints` at `now`.
pub async fn remember(
    conn: &mut AsyncPgConnection,
    user_id: UserId,
    fingerprints: &[String],
    now: DateTime<Utc>,
) -> QueryResult<()> {
    let rows: Vec<_> = fingerprints
        .iter()
        .map(|fingerprint| {
            (
                known_devices::user_id.eq(user_id.0),
                known_devices::fingerprint.eq(fingerprint),
                known_devices::last_seen_at.eq(now),
            )
        })
        .collect();
    diesel::insert_into(known_devices::table)
        .values(rows)
        .on_conflict((known_devices::user_id, known_devices::fingerprint))
        .do_update()
        .set(known_devices::last_seen_at.eq(excluded(known_devices::last_seen_at)))
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets up to `batch` devices no sign-in has used since `before`; how many went.
pub async fn forget_unseen_since(
    conn: &mut AsyncPgConnection,
    before: DateTime<Utc>,
    batch: i64,
) -> QueryResult<usize> {
    use diesel::sql_types::{BigInt, Timestamptz};

    diesel::sql_query(
        "DELETE FROM known_devices WHERE (user_id, fingerprint) IN \
         (SELECT user_id, fingerprint FROM known_devices WHERE last_seen_at < $1 LIMIT $2)",
    )
    .bind::<Timestamptz, _>(before)
    .bind::<BigInt, _>(batch)
    .execute(conn)
    .await
}
