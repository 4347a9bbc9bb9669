//! The `user_sessions` table. Rows are never deleted when revoked (tombstones keep a
//! revoked token from ever being re-created); only the purge removes expired rows.

use chrono::{DateTime, Utc};
use diesel::{
    dsl::AsSelect,
    pg::Pg,
    prelude::*,
    query_builder::{Query, QueryFragment, QueryId},
};
use diesel_async::{AsyncConnection as _, AsyncPgConnection, RunQueryDsl};
use hallpass_core::{
    TokenHash,
    model::{NewSession, Session},
};
use hallpass_shared::{DeviceKind, Location, RevokedReason, SessionId, UserId};
use uuid::Uuid;

use super::{
    schema::{user_sessions, users},
    stored::Stored,
    users::UserRow,
};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = user_sessions, check_for_backend(Pg))]
pub struct SessionRow {
    #[diesel(deserialize_as = Uuid)]
    pub id: SessionId,
    #[diesel(deserialize_as = Uuid)]
    pub user_id: UserId,
    pub token_hash: String,
    pub ip_address: String,
    pub user_agent: String,
    pub device: Stored<DeviceKind>,
    pub browser: String,
    pub os: String,
    pub is_active: bool,
    pub created: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_reason: Option<Stored<RevokedReason>>,
    #[diesel(embed)]
    pub place: Place,
    pub name: Option<String>,
    pub new_device: bool,
    pub new_device_answered_at: Option<DateTime<Utc>>,
    pub authenticated_at: Option<DateTime<Utc>>,
    pub shared_device: bool,
}

/// Where a session (or a sign-in event) was opened: the columns of a [`Location`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = user_sessions, check_for_backend(Pg))]
pub struct Place {
    pub country: Option<String>,
    pub region: Option<String>,
    pub city: Option<String>,
}

impl Place {
    pub fn location(&self) -> Option<Location> {
        Some(Location {
            country: self.country.clone()?,
            region: self.region.clone(),
            city: self.city.clone(),
        })
    }
}

impl From<Option<Location>> for Place {
    fn from(location: Option<Location>) -> Self {
        location.map_or_else(Self::default, |location| Self {
            country: Some(location.country),
            region: location.region,
            city: location.city,
        })
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = user_sessions)]
pub struct NewSessionRow {
    pub user_id: Uuid,
    pub token_hash: String,
    pub ip_address: String,
    pub user_agent: String,
    pub device: Stored<DeviceKind>,
    pub browser: String,
    pub os: String,
    pub created: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    #[diesel(embed)]
    pub place: Place,
    pub new_device: bool,
    pub shared_device: bool,
}

impl SessionRow {
    /// How many sessions each of `ids` has open (neither signed out nor expired); users
    /// with none are left out.
    pub async fn active_session_counts(
        conn: &mut AsyncPgConnection,
        ids: &[UserId],
        now: DateTime<Utc>,
    ) -> QueryResult<Vec<(UserId, i64)>> {
        let ids: Vec<Uuid> = ids.iter().map(|id| id.0).collect();
        let counts: Vec<(Uuid, i64)> = user_sessions::table
            .filter(user_sessions::user_id.eq_any(ids))
            .filter(user_sessions::is_active)
            .filter(user_sessions::expires_at.gt(now))
            .group_by(user_sessions::user_id)
            .select((user_sessions::user_id, diesel::dsl::count_star()))
            .load(conn)
            .await?;
        Ok(counts.into_iter().map(|(id, n)| (UserId(id), n)).collect())
    }
}

impl TryFrom<SessionRow> for Session {
    type Error = String;

    /// Fails only for a token hash that is not 64 hex digits, which no version wrote.
    fn try_from(row: SessionRow) -> Result<Self, String> {
        let token_hash = TokenHash::from_hex(&row.token_hash)
            .ok_or_else(|| format!("session {} has an unreadable token hash", row.id))?;
        Ok(Self {
            id: row.id,
            user_id: row.user_id,
            token_hash,
            ip_address: row.ip_address,
            user_agent: row.user_agent,
            device: row.device.0,
            browser: row.browser,
            os: row.os,
            is_active: row.is_active,
            created: row.created,
            last_seen_at: row.last_seen_at,
            expires_at: row.expires_at,
            revoked_at: row.revoked_at,
            revoked_reason: row.revoked_reason.map(|reason| reason.0),
            location: row.place.location(),
            name: row.name,
            new_device: row.new_device,
            new_device_answered_at: row.new_device_answered_at,
            authenticated_at: row.authenticated_at.unwrap_or(row.created),
            shared_device: row.shared_device,
        })
    }
}

impl From<&NewSession> for NewSessionRow {
    fn from(new: &NewSession) -> Self {
        Self {
            user_id: new.user_id.0,
            token_hash: new.token_hash.hex(),
            ip_address: new.ip_address.clone(),
            user_agent: new.user_agent.clone(),
            device: Stored(new.device),
            browser: new.browser.clone(),
            os: new.os.clone(),
            created: new.created,
            last_seen_at: new.last_seen_at,
            expires_at: new.expires_at,
            place: new.location.clone().into(),
            new_device: new.new_device,
            shared_device: new.shared_device,
        }
    }
}

impl NewSessionRow {
    pub async fn insert(&self, conn: &mut AsyncPgConnection) -> QueryResult<SessionRow> {
        diesel::insert_into(user_sessions::table)
            .values(self)
            .returning(SessionRow::as_returning())
            .get_result(conn)
            .await
    }

    /// Inserts unless a row with this token hash exists (active, revoked or expired).
    /// One statement, so any number of concurrent callers leave exactly one row.
    pub async fn insert_if_absent(
        &self,
        conn: &mut AsyncPgConnection,
    ) -> QueryResult<Option<SessionRow>> {
        diesel::insert_into(user_sessions::table)
            .values(self)
            .on_conflict(user_sessions::token_hash)
            .do_nothing()
            .returning(SessionRow::as_returning())
            .get_result(conn)
            .await
            .optional()
    }
}

/// Sets a session's revocation columns.
macro_rules! revoke_set {
    ($reason:expr, $now:expr) => {
        (
            user_sessions::is_active.eq(false),
            user_sessions::revoked_at.eq(Some($now)),
            user_sessions::revoked_reason.eq(Some(Stored($reason))),
        )
    };
}

impl SessionRow {
    pub async fn find_by_hash(
        conn: &mut AsyncPgConnection,
        token_hash: &str,
    ) -> QueryResult<Option<Self>> {
        user_sessions::table
            .filter(user_sessions::token_hash.eq(token_hash))
            .select(Self::as_select())
            .first(conn)
            .await
            .optional()
    }

    /// The validation query on a cache miss: the session and its user in one round trip.
    pub async fn find_with_user_by_hash(
        conn: &mut AsyncPgConnection,
        token_hash: &str,
    ) -> QueryResult<Option<(Self, UserRow)>> {
        Self::with_user_by_hash(token_hash)
            .get_result(conn)
            .await
            .optional()
    }

    /// [`SessionRow::find_with_user_by_hash`]'s query (public, like every query a request
    /// runs, so a test can check its plan).
    pub fn with_user_by_hash(
        token_hash: &str,
    ) -> impl Query<SqlType = (AsSelect<Self, Pg>, AsSelect<UserRow, Pg>)>
    + QueryFragment<Pg>
    + QueryId
    + Send
    + '_ {
        user_sessions::table
            .inner_join(users::table)
            .filter(user_sessions::token_hash.eq(token_hash))
            .select((Self::as_select(), UserRow::as_select()))
            .limit(1)
    }

    /// A user's live sessions, newest first; with `idle_cutoff`, only those seen since.
    pub async fn list_active_for_user(
        conn: &mut AsyncPgConnection,
        user_id: UserId,
        now: DateTime<Utc>,
        idle_cutoff: Option<DateTime<Utc>>,
    ) -> QueryResult<Vec<Self>> {
        Self::active_for_user(user_id, now, idle_cutoff)
            .load(conn)
            .await
    }

    /// [`SessionRow::list_active_for_user`]'s query.
    pub fn active_for_user(
        user_id: UserId,
        now: DateTime<Utc>,
        idle_cutoff: Option<DateTime<Utc>>,
    ) -> user_sessions::BoxedQuery<'static, Pg, AsSelect<Self, Pg>> {
        let mut query = user_sessions::table
            .filter(user_sessions::user_id.eq(user_id.0))
            .filter(user_sessions::is_active)
            .filter(user_sessions::expires_at.gt(now))
            .order((user_sessions::created.desc(), user_sessions::id.desc()))
            .select(Self::as_select())
            .into_boxed();
        if let Some(cutoff) = idle_cutoff {
            query = query.filter(user_sessions::last_seen_at.gt(cutoff));
        }
        query
    }

    /// A user's live sign-ins from new devices that they have not answered "was this
    /// you?" about, newest first, `except` their current session.
    pub async fn list_unanswered_new_devices(
        conn: &mut AsyncPgConnection,
        user_id: UserId,
        except: SessionId,
        now: DateTime<Utc>,
    ) -> QueryResult<Vec<Self>> {
        Self::unanswered_new_devices(user_id, except, now)
            .load(conn)
            .await
    }

    /// [`SessionRow::list_unanswered_new_devices`]'s query.
    pub fn unanswered_new_devices(
        user_id: UserId,
        except: SessionId,
        now: DateTime<Utc>,
    ) -> user_sessions::BoxedQuery<'static, Pg, AsSelect<Self, Pg>> {
        Self::active_for_user(user_id, now, None)
            .filter(user_sessions::new_device)
            .filter(user_sessions::new_device_answered_at.is_null())
            .filter(user_sessions::id.ne(except.0))
    }

    /// One of `owner`'s active sessions, locked until the transaction ends.
    pub async fn find_active_of(
        conn: &mut AsyncPgConnection,
        id: SessionId,
        owner: UserId,
    ) -> QueryResult<Option<Self>> {
        user_sessions::table
            .find(id.0)
            .filter(user_sessions::user_id.eq(owner.0))
            .filter(user_sessions::is_active)
            .select(Self::as_select())
            .for_update()
            .get_result(conn)
            .await
            .optional()
    }

    /// Names (or, with `None`, unnames) one of `owner`'s active sessions; `None` when
    /// there is no such session.
    pub async fn rename(
        conn: &mut AsyncPgConnection,
        id: SessionId,
        owner: UserId,
        name: Option<&str>,
    ) -> QueryResult<Option<Self>> {
        diesel::update(user_sessions::table.find(id.0))
            .filter(user_sessions::user_id.eq(owner.0))
            .filter(user_sessions::is_active)
            .set(user_sessions::name.eq(name))
            .returning(Self::as_returning())
            .get_result(conn)
            .await
            .optional()
    }

    /// Records that `owner` proved the password in their active session `id` at `now`;
    /// `false` when there is no such session.
    pub async fn mark_reauthenticated(
        conn: &mut AsyncPgConnection,
        id: SessionId,
        owner: UserId,
        now: DateTime<Utc>,
    ) -> QueryResult<bool> {
        let updated = diesel::update(user_sessions::table.find(id.0))
            .filter(user_sessions::user_id.eq(owner.0))
            .filter(user_sessions::is_active)
            .set(user_sessions::authenticated_at.eq(now))
            .execute(conn)
            .await?;
        Ok(updated == 1)
    }

    /// Records that `owner` answered about their active new-device session `id`; `None`
    /// when there is no such session or it was already answered (in another tab, say).
    pub async fn answer_new_device(
        conn: &mut AsyncPgConnection,
        id: SessionId,
        owner: UserId,
        now: DateTime<Utc>,
    ) -> QueryResult<Option<Self>> {
        diesel::update(user_sessions::table.find(id.0))
            .filter(user_sessions::user_id.eq(owner.0))
            .filter(user_sessions::is_active)
            .filter(user_sessions::new_device)
            .filter(user_sessions::new_device_answered_at.is_null())
            .set(user_sessions::new_device_answered_at.eq(now))
            .returning(Self::as_returning())
            .get_result(conn)
            .await
            .optional()
    }

    /// Sessions active and unexpired, across all users (the `active_sessions` gauge).
    /// Counted by one process: at a million sessions a parallel count took both cores of
    /// a small database server for 280 ms, and every request waited behind it.
    pub async fn count_active(
        conn: &mut AsyncPgConnection,
        now: DateTime<Utc>,
    ) -> QueryResult<i64> {
        conn.transaction(async move |conn| {
            diesel::sql_query("SET LOCAL max_parallel_workers_per_gather = 0")
                .execute(conn)
                .await?;
            Self::active_count(now).get_result(conn).await
        })
        .await
    }

    /// [`SessionRow::count_active`]'s query.
    pub fn active_count(
        now: DateTime<Utc>,
    ) -> user_sessions::BoxedQuery<'static, Pg, diesel::sql_types::BigInt> {
        user_sessions::table
            .filter(user_sessions::is_active)
            .filter(user_sessions::expires_at.gt(now))
            .count()
            .into_boxed()
    }

    /// Records when each session was seen, in one statement, unless its activity was
    /// recorded within `interval` of that. Guarded so that it can never touch (let alone
    /// revive) a revoked or expired row; the ids it wrote.
    pub async fn touch_last_seen(
        conn: &mut AsyncPgConnection,
        seen: &[(SessionId, DateTime<Utc>)],
        interval: chrono::Duration,
    ) -> QueryResult<Vec<SessionId>> {
        use diesel::sql_types::{Array, BigInt, Timestamptz, Uuid as SqlUuid};

        #[derive(QueryableByName)]
        struct Touched {
            #[diesel(sql_type = SqlUuid)]
            id: Uuid,
        }

        let (ids, times): (Vec<Uuid>, Vec<DateTime<Utc>>) =
            seen.iter().map(|(id, at)| (id.0, *at)).unzip();
        let touched: Vec<Touched> = diesel::sql_query(
            "UPDATE user_sessions AS s SET last_seen_at = t.at \
             FROM unnest($1::uuid[], $2::timestamptz[]) AS t(id, at) \
             WHERE s.id = t.id AND s.is_active AND s.expires_at > t.at \
             AND s.last_seen_at < t.at - $3 * interval '1 second' \
             RETURNING s.id",
        )
        .bind::<Array<SqlUuid>, _>(ids)
        .bind::<Array<Timestamptz>, _>(times)
        .bind::<BigInt, _>(interval.num_seconds())
        .load(conn)
        .await?;
        Ok(touched.into_iter().map(|row| SessionId(row.id)).collect())
    }

    /// Revokes one active session, only if it belongs to `owner` when one is given (a
    /// user's own action; `None` for an admin's); `None` when there is no such session.
    pub async fn revoke(
        conn: &mut AsyncPgConnection,
        id: SessionId,
        owner: Option<UserId>,
        reason: RevokedReason,
        now: DateTime<Utc>,
    ) -> QueryResult<Option<Self>> {
        let mut update = diesel::update(user_sessions::table.find(id.0))
            .filter(user_sessions::is_active)
            .set(revoke_set!(reason, now))
            .into_boxed();
        if let Some(owner) = owner {
            update = update.filter(user_sessions::user_id.eq(owner.0));
        }
        update
            .returning(Self::as_returning())
            .get_result(conn)
            .await
            .optional()
    }

    /// Revokes every active session of `user_id` except `keep`.
    pub async fn revoke_all_for_user(
        conn: &mut AsyncPgConnection,
        user_id: UserId,
        keep: Option<SessionId>,
        reason: RevokedReason,
        now: DateTime<Utc>,
    ) -> QueryResult<Vec<Self>> {
        let keep = keep.map_or_else(Uuid::nil, Uuid::from);
        diesel::update(user_sessions::table)
            .filter(user_sessions::user_id.eq(user_id.0))
            .filter(user_sessions::is_active)
            .filter(user_sessions::id.ne(keep))
            .set(revoke_set!(reason, now))
            .returning(Self::as_returning())
            .get_results(conn)
            .await
    }

    /// Revokes the oldest active sessions of `user_id` beyond the newest `keep`.
    pub async fn revoke_beyond_limit(
        conn: &mut AsyncPgConnection,
        user_id: UserId,
        keep: u32,
        now: DateTime<Utc>,
    ) -> QueryResult<Vec<Self>> {
        let surplus: Vec<Uuid> = Self::beyond_limit(user_id, keep).load(conn).await?;
        if surplus.is_empty() {
            return Ok(Vec::new());
        }
        diesel::update(user_sessions::table)
            .filter(user_sessions::id.eq_any(surplus))
            .filter(user_sessions::is_active)
            .set(revoke_set!(RevokedReason::SessionLimit, now))
            .returning(Self::as_returning())
            .get_results(conn)
            .await
    }

    /// The ids of `user_id`'s active sessions beyond the newest `keep`.
    pub fn beyond_limit(
        user_id: UserId,
        keep: u32,
    ) -> user_sessions::BoxedQuery<'static, Pg, diesel::sql_types::Uuid> {
        user_sessions::table
            .filter(user_sessions::user_id.eq(user_id.0))
            .filter(user_sessions::is_active)
            .order((user_sessions::created.desc(), user_sessions::id.desc()))
            .offset(i64::from(keep))
            .select(user_sessions::id)
            .into_boxed()
    }

    /// Deletes up to `batch` rows whose absolute lifetime has passed (tombstones
    /// included), oldest first, from `from` on (the previous batch's resume point):
    /// returns how many went and where the next batch resumes. Resuming keeps each batch
    /// from stepping over the index entries of the rows earlier batches deleted, which
    /// stay until a vacuum (they made a long purge slow down batch after batch).
    pub async fn purge_expired(
        conn: &mut AsyncPgConnection,
        now: DateTime<Utc>,
        from: Option<DateTime<Utc>>,
        batch: i64,
    ) -> QueryResult<(usize, Option<DateTime<Utc>>)> {
        let expired: Vec<(Uuid, DateTime<Utc>)> =
            Self::expired_batch(now, from, batch).load(conn).await?;
        let resume = expired.last().map(|&(_, expires_at)| expires_at).or(from);
        let ids: Vec<Uuid> = expired.into_iter().map(|(id, _)| id).collect();
        let deleted = diesel::delete(user_sessions::table.filter(user_sessions::id.eq_any(ids)))
            .execute(conn)
            .await?;
        Ok((deleted, resume))
    }

    /// The ids and lifetimes of up to `batch` rows past their absolute lifetime, oldest
    /// first, from `from` on.
    pub fn expired_batch(
        now: DateTime<Utc>,
        from: Option<DateTime<Utc>>,
        batch: i64,
    ) -> user_sessions::BoxedQuery<
        'static,
        Pg,
        (diesel::sql_types::Uuid, diesel::sql_types::Timestamptz),
    > {
        let mut query = user_sessions::table
            .filter(user_sessions::expires_at.lt(now))
            .order(user_sessions::expires_at.asc())
            .select((user_sessions::id, user_sessions::expires_at))
            .limit(batch)
            .into_boxed();
        if let Some(from) = from {
            query = query.filter(user_sessions::expires_at.ge(from));
        }
        query
    }
}
