//! The `known_devices` table: what each account has signed in from, when last, and from
//! when it counts as known (see
//! [`crate::domain::sessions::devices`]).

use chrono::{DateTime, Utc};
use diesel::{prelude::*, upsert::excluded};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use hallpass_core::model::Learning;
use hallpass_shared::{SessionId, UserId};

use super::schema::known_devices;

/// Whether any of `fingerprints` is a device `user_id` signed in with since `seen_since`
/// and learned by `now`.
pub async fn any_known(
    conn: &mut AsyncPgConnection,
    user_id: UserId,
    fingerprints: &[String],
    seen_since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        known_devices::table
            .filter(known_devices::user_id.eq(user_id.0))
            .filter(known_devices::fingerprint.eq_any(fingerprints))
            .filter(known_devices::last_seen_at.gt(seen_since))
            .filter(known_devices::learned_at.le(now)),
    ))
    .get_result(conn)
    .await
}

/// Whether `user_id` has any device on record.
pub async fn any_of(conn: &mut AsyncPgConnection, user_id: UserId) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        known_devices::table.filter(known_devices::user_id.eq(user_id.0)),
    ))
    .get_result(conn)
    .await
}

/// Records that `user_id` signed in with `fingerprints` at `now`, learned as `learning`
/// says. A device keeps the earlier of its learning times; a sign-in learned at once
/// clears what it waited on.
pub async fn remember(
    conn: &mut AsyncPgConnection,
    user_id: UserId,
    fingerprints: &[String],
    now: DateTime<Utc>,
    learning: Learning,
) -> QueryResult<()> {
    use diesel::{
        dsl::sql,
        sql_types::{Nullable, Timestamptz, Uuid},
    };

    let (learned_at, pending_on) = match learning {
        Learning::Now => (now, None),
        Learning::Pending { session, from } => (from, Some(session.0)),
    };
    let rows: Vec<_> = fingerprints
        .iter()
        .map(|fingerprint| {
            (
                known_devices::user_id.eq(user_id.0),
                known_devices::fingerprint.eq(fingerprint),
                known_devices::last_seen_at.eq(now),
                known_devices::learned_at.eq(learned_at),
                known_devices::pending_on.eq(pending_on),
            )
        })
        .collect();
    diesel::insert_into(known_devices::table)
        .values(rows)
        .on_conflict((known_devices::user_id, known_devices::fingerprint))
        .do_update()
        .set((
            known_devices::last_seen_at.eq(excluded(known_devices::last_seen_at)),
            known_devices::learned_at.eq(sql::<Timestamptz>(
                "LEAST(known_devices.learned_at, excluded.learned_at)",
            )),
            known_devices::pending_on.eq(sql::<Nullable<Uuid>>(
                "CASE WHEN excluded.pending_on IS NULL THEN NULL ELSE known_devices.pending_on END",
            )),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// The devices waiting on `session` are learned from `now`.
pub async fn learn_pending_on(
    conn: &mut AsyncPgConnection,
    session: SessionId,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(known_devices::table.filter(known_devices::pending_on.eq(session.0)))
        .set((
            known_devices::learned_at.eq(now),
            known_devices::pending_on.eq(None::<uuid::Uuid>),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// The devices waiting on `session` are forgotten.
pub async fn forget_pending_on(
    conn: &mut AsyncPgConnection,
    session: SessionId,
) -> QueryResult<()> {
    diesel::delete(known_devices::table.filter(known_devices::pending_on.eq(session.0)))
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
