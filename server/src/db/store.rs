//! The session store over PostgreSQL: [`PgStore`] implements the domain's
//! [`Store`](hallpass_core::ports::Store) with the pool, and [`PgConn`] its
//! [`Queries`](hallpass_core::ports::Queries) with the queries of the table modules,
//! mapping rows to the domain's values and Diesel's failures to the domain's errors, each
//! in one place.

use chrono::{DateTime, Utc};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::{AnsiTransactionManager, TransactionManager as _};
use hallpass_core::{
    Error, Result, TokenHash,
    model::{
        AuditEvent, ChosenBy, EventCursor, EventFilter, Learning, NewSession, NewUser,
        RecordedEvent, Session, User, UserChanges, UserCursor, UserFilter,
    },
    policies::{Holders, RolePolicy, StoredPolicy},
    ports::{Queries, Store},
};
use hallpass_shared::{RevokedReason, Role, SessionId, UserId, UserSort};

use super::{
    CheckoutError, DbPool, PooledConn, events, known_devices,
    policies::{self, RolePolicyRow},
    read_only,
    sessions::{NewSessionRow, SessionRow},
    users::{NewUserRow, UserRow},
};

/// PostgreSQL as the domain's store.
#[derive(Clone)]
pub struct PgStore {
    pool: DbPool,
}

impl PgStore {
    pub fn new(pool: DbPool) -> Self {
        Self { pool }
    }

    /// The pool, for what is not a use case (jobs, keys, the command line, tests).
    pub fn pool(&self) -> &DbPool {
        &self.pool
    }
}

impl PgStore {
    /// A connection from the pool; after a write failed on a read-only server lately,
    /// one that is still on such a server is discarded and another taken (see
    /// [`read_only`]).
    async fn checkout(&self) -> Result<PooledConn<'_>> {
        let mut conn = self.pool.get().await.map_err(unavailable)?;
        if !read_only::suspected() {
            return Ok(conn);
        }
        for _ in 0..=self.pool.size() {
            if !read_only::holds(&mut conn).await {
                return Ok(conn);
            }
            read_only::discard(&mut conn).await;
            drop(conn);
            conn = self.pool.get().await.map_err(unavailable)?;
        }
        Err(Error::Unavailable(anyhow::anyhow!(
            "every database connection is on a read-only server"
        )))
    }
}

impl Store for PgStore {
    type Conn<'a> = PgConn<'a>;

    async fn connect(&self) -> Result<PgConn<'_>> {
        let conn = self.checkout().await?;
        Ok(PgConn {
            conn,
            in_transaction: false,
        })
    }

    async fn begin(&self) -> Result<PgConn<'_>> {
        let mut conn = self.checkout().await?;
        AnsiTransactionManager::begin_transaction(&mut *conn)
            .await
            .map_err(from_diesel)?;
        Ok(PgConn {
            conn,
            in_transaction: true,
        })
    }

    async fn ping(&self) -> bool {
        match self.pool.get().await {
            Ok(mut conn) => super::ping(&mut conn).await.is_ok(),
            Err(_) => false,
        }
    }
}

/// A pooled connection, in a transaction once begun. One dropped in a transaction (a
/// task that panicked) is discarded by the pool, never reused half-way.
pub struct PgConn<'a> {
    conn: PooledConn<'a>,
    in_transaction: bool,
}

/// A pool that cannot hand out a connection in time, or a database refusing
/// connections, means the database is down or saturated: unavailable, never a hang and
/// never a refused session.
fn unavailable(error: CheckoutError) -> Error {
    Error::Unavailable(anyhow::anyhow!("{error}"))
}

/// Server messages that mean "retry later" rather than a bug. diesel reports only the
/// message, not the SQLSTATE: a statement or lock timeout ended the query (57014), the
/// server is shutting down, crashed or restarting (57P01-57P03), or it has no
/// connection slot left (53300). These are PostgreSQL's English messages (`lc_messages`
/// must stay English, as it is by default).
fn is_transient(message: &str) -> bool {
    const TRANSIENT: [&str; 4] = [
        "canceling statement due to",
        "terminating connection",
        "the database system is",
        "sorry, too many clients",
    ];
    TRANSIENT.iter().any(|prefix| message.starts_with(prefix))
}

/// What a query failure means to the domain: a missing row, a taken unique value, a
/// database that went away under the query (retry later), or a bug.
pub fn from_diesel(error: DieselError) -> Error {
    match &error {
        DieselError::NotFound => Error::NotFound,
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
            Error::Conflict("already exists".into())
        }
        DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _,
        )
        | DieselError::BrokenTransactionManager => Error::Unavailable(error.into()),
        // A server that stopped taking writes (a fenced old primary, a standby): retry
        // later, on another connection.
        DieselError::DatabaseError(DatabaseErrorKind::ReadOnlyTransaction, _) => {
            read_only::seen();
            Error::Unavailable(error.into())
        }
        DieselError::DatabaseError(DatabaseErrorKind::Unknown, info)
            if is_transient(info.message()) =>
        {
            Error::Unavailable(error.into())
        }
        _ => Error::Internal(error.into()),
    }
}

fn session(row: SessionRow) -> Result<Session> {
    Session::try_from(row).map_err(|message| Error::Internal(anyhow::anyhow!(message)))
}

fn sessions(rows: Vec<SessionRow>) -> Result<Vec<Session>> {
    rows.into_iter().map(session).collect()
}

impl Queries for PgConn<'_> {
    async fn commit(mut self) -> Result<()> {
        if self.in_transaction {
            AnsiTransactionManager::commit_transaction(&mut *self.conn)
                .await
                .map_err(from_diesel)?;
        }
        Ok(())
    }

    async fn rollback(mut self) {
        if self.in_transaction
            && let Err(error) = AnsiTransactionManager::rollback_transaction(&mut *self.conn).await
        {
            tracing::warn!("could not roll back a transaction: {error}");
        }
    }

    async fn session_with_user(&mut self, hash: &TokenHash) -> Result<Option<(Session, User)>> {
        let found = SessionRow::find_with_user_by_hash(&mut self.conn, &hash.hex())
            .await
            .map_err(from_diesel)?;
        found
            .map(|(row, user)| Ok((session(row)?, User::from(user))))
            .transpose()
    }

    async fn session_by_hash(&mut self, hash: &TokenHash) -> Result<Option<Session>> {
        let found = SessionRow::find_by_hash(&mut self.conn, &hash.hex())
            .await
            .map_err(from_diesel)?;
        found.map(session).transpose()
    }

    async fn live_sessions_of(
        &mut self,
        user_id: UserId,
        now: DateTime<Utc>,
        idle_cutoff: Option<DateTime<Utc>>,
    ) -> Result<Vec<Session>> {
        let rows = SessionRow::list_active_for_user(&mut self.conn, user_id, now, idle_cutoff)
            .await
            .map_err(from_diesel)?;
        sessions(rows)
    }

    async fn unanswered_new_devices(
        &mut self,
        user_id: UserId,
        except: SessionId,
        now: DateTime<Utc>,
    ) -> Result<Vec<Session>> {
        let rows = SessionRow::list_unanswered_new_devices(&mut self.conn, user_id, except, now)
            .await
            .map_err(from_diesel)?;
        sessions(rows)
    }

    async fn lock_active_session(
        &mut self,
        id: SessionId,
        owner: UserId,
    ) -> Result<Option<Session>> {
        let found = SessionRow::find_active_of(&mut self.conn, id, owner)
            .await
            .map_err(from_diesel)?;
        found.map(session).transpose()
    }

    async fn rename_session(
        &mut self,
        id: SessionId,
        owner: UserId,
        name: Option<&str>,
    ) -> Result<Option<Session>> {
        let renamed = SessionRow::rename(&mut self.conn, id, owner, name)
            .await
            .map_err(from_diesel)?;
        renamed.map(session).transpose()
    }

    async fn mark_reauthenticated(
        &mut self,
        id: SessionId,
        owner: UserId,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        SessionRow::mark_reauthenticated(&mut self.conn, id, owner, now)
            .await
            .map_err(from_diesel)
    }

    async fn renames_since(
        &mut self,
        id: SessionId,
        owner: UserId,
        since: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<DateTime<Utc>>> {
        events::renames_since(&mut self.conn, id, owner, since, limit)
            .await
            .map_err(from_diesel)
    }

    async fn answer_new_device(
        &mut self,
        id: SessionId,
        owner: UserId,
        now: DateTime<Utc>,
    ) -> Result<Option<Session>> {
        let answered = SessionRow::answer_new_device(&mut self.conn, id, owner, now)
            .await
            .map_err(from_diesel)?;
        answered.map(session).transpose()
    }

    async fn count_live_sessions(&mut self, now: DateTime<Utc>) -> Result<i64> {
        SessionRow::count_active(&mut self.conn, now)
            .await
            .map_err(from_diesel)
    }

    async fn live_session_counts(
        &mut self,
        ids: &[UserId],
        now: DateTime<Utc>,
    ) -> Result<Vec<(UserId, i64)>> {
        SessionRow::active_session_counts(&mut self.conn, ids, now)
            .await
            .map_err(from_diesel)
    }

    async fn touch_sessions(
        &mut self,
        seen: &[(SessionId, DateTime<Utc>)],
        interval: chrono::Duration,
    ) -> Result<Vec<SessionId>> {
        SessionRow::touch_last_seen(&mut self.conn, seen, interval)
            .await
            .map_err(from_diesel)
    }

    async fn revoke_session(
        &mut self,
        id: SessionId,
        owner: Option<UserId>,
        reason: RevokedReason,
        now: DateTime<Utc>,
    ) -> Result<Option<Session>> {
        let revoked = SessionRow::revoke(&mut self.conn, id, owner, reason, now)
            .await
            .map_err(from_diesel)?;
        revoked.map(session).transpose()
    }

    async fn revoke_sessions_of(
        &mut self,
        user_id: UserId,
        keep: Option<SessionId>,
        reason: RevokedReason,
        now: DateTime<Utc>,
    ) -> Result<Vec<Session>> {
        let rows = SessionRow::revoke_all_for_user(&mut self.conn, user_id, keep, reason, now)
            .await
            .map_err(from_diesel)?;
        sessions(rows)
    }

    async fn revoke_beyond_limit(
        &mut self,
        user_id: UserId,
        keep: u32,
        now: DateTime<Utc>,
    ) -> Result<Vec<Session>> {
        let rows = SessionRow::revoke_beyond_limit(&mut self.conn, user_id, keep, now)
            .await
            .map_err(from_diesel)?;
        sessions(rows)
    }

    async fn count_sessions_beyond(
        &mut self,
        holders: Holders,
        policy: &RolePolicy,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let count = policies::count_ending(&mut self.conn, holders, policy, now)
            .await
            .map_err(from_diesel)?;
        Ok(count.unsigned_abs())
    }

    async fn end_sessions_beyond(
        &mut self,
        holders: Holders,
        policy: &RolePolicy,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let ending = self.count_sessions_beyond(holders, policy, now).await?;
        policies::bring_within(&mut self.conn, holders, policy, now)
            .await
            .map_err(from_diesel)?;
        Ok(ending)
    }

    async fn count_users_over_limit(
        &mut self,
        role: Role,
        max_sessions: u32,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let count = policies::count_users_over(&mut self.conn, role, max_sessions, now)
            .await
            .map_err(from_diesel)?;
        Ok(count.unsigned_abs())
    }

    async fn insert_session_if_absent(&mut self, new: &NewSession) -> Result<Option<Session>> {
        let inserted = NewSessionRow::from(new)
            .insert_if_absent(&mut self.conn)
            .await
            .map_err(from_diesel)?;
        inserted.map(session).transpose()
    }

    async fn role_policies(&mut self) -> Result<Vec<StoredPolicy>> {
        let rows = RolePolicyRow::all(&mut self.conn)
            .await
            .map_err(from_diesel)?;
        rows.into_iter()
            .map(|row| row.map_err(|message| Error::Internal(anyhow::anyhow!(message))))
            .collect()
    }

    async fn lock_role_policies(&mut self) -> Result<()> {
        RolePolicyRow::lock(&mut self.conn)
            .await
            .map_err(from_diesel)
    }

    async fn put_role_policy(
        &mut self,
        stored: &StoredPolicy,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Result<()> {
        RolePolicyRow::put(&mut self.conn, stored, by, now)
            .await
            .map_err(from_diesel)
    }

    async fn user(&mut self, id: UserId) -> Result<Option<User>> {
        let found = UserRow::find(&mut self.conn, id)
            .await
            .map_err(from_diesel)?;
        Ok(found.map(User::from))
    }

    async fn user_by_email(&mut self, email: &str) -> Result<Option<User>> {
        let found = UserRow::find_by_email(&mut self.conn, email)
            .await
            .map_err(from_diesel)?;
        Ok(found.map(User::from))
    }

    async fn insert_user(&mut self, new: &NewUser) -> Result<User> {
        let row = NewUserRow::from(new)
            .insert(&mut self.conn)
            .await
            .map_err(from_diesel)?;
        Ok(User::from(row))
    }

    async fn reset_user(
        &mut self,
        id: UserId,
        name: &str,
        role: Role,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<User> {
        let row = UserRow::reset(&mut self.conn, id, name, role, password_hash, now)
            .await
            .map_err(from_diesel)?;
        Ok(User::from(row))
    }

    async fn record_sign_in(&mut self, id: UserId, now: DateTime<Utc>) -> Result<()> {
        UserRow::signed_in(&mut self.conn, id, now)
            .await
            .map_err(from_diesel)?;
        Ok(())
    }

    async fn set_password(
        &mut self,
        id: UserId,
        password_hash: &str,
        chosen_by: ChosenBy,
        now: DateTime<Utc>,
    ) -> Result<Option<User>> {
        let row = UserRow::set_password(&mut self.conn, id, password_hash, chosen_by, now)
            .await
            .map_err(from_diesel)?;
        Ok(row.map(User::from))
    }

    async fn set_sessions_valid_after(&mut self, id: UserId, at: DateTime<Utc>) -> Result<bool> {
        let updated = UserRow::set_sessions_valid_after(&mut self.conn, id, at)
            .await
            .map_err(from_diesel)?;
        Ok(updated > 0)
    }

    async fn lock_active_admins(&mut self) -> Result<usize> {
        UserRow::lock_active_admins(&mut self.conn)
            .await
            .map_err(from_diesel)
    }

    async fn lock_user(&mut self, id: UserId) -> Result<Option<User>> {
        let row = UserRow::find_for_update(&mut self.conn, id)
            .await
            .map_err(from_diesel)?;
        Ok(row.map(User::from))
    }

    async fn update_user(
        &mut self,
        id: UserId,
        changes: &UserChanges,
        now: DateTime<Utc>,
    ) -> Result<User> {
        let row = UserRow::update(&mut self.conn, id, changes, now)
            .await
            .map_err(from_diesel)?;
        Ok(User::from(row))
    }

    async fn count_users_up_to(&mut self, filter: &UserFilter, cap: i64) -> Result<usize> {
        UserRow::count_up_to(&mut self.conn, filter, cap)
            .await
            .map_err(from_diesel)
    }

    async fn list_users(
        &mut self,
        filter: &UserFilter,
        sort: UserSort,
        cursor: Option<&UserCursor>,
        limit: i64,
    ) -> Result<Vec<User>> {
        let rows = UserRow::list(&mut self.conn, filter, sort, cursor, limit)
            .await
            .map_err(from_diesel)?;
        Ok(rows.into_iter().map(User::from).collect())
    }

    async fn any_device_known(
        &mut self,
        user_id: UserId,
        fingerprints: &[String],
        seen_since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        known_devices::any_known(&mut self.conn, user_id, fingerprints, seen_since, now)
            .await
            .map_err(from_diesel)
    }

    async fn has_devices(&mut self, user_id: UserId) -> Result<bool> {
        known_devices::any_of(&mut self.conn, user_id)
            .await
            .map_err(from_diesel)
    }

    async fn remember_devices(
        &mut self,
        user_id: UserId,
        fingerprints: &[String],
        now: DateTime<Utc>,
        learning: Learning,
    ) -> Result<()> {
        known_devices::remember(&mut self.conn, user_id, fingerprints, now, learning)
            .await
            .map_err(from_diesel)
    }

    async fn learn_devices_of(&mut self, session: SessionId, now: DateTime<Utc>) -> Result<()> {
        known_devices::learn_pending_on(&mut self.conn, session, now)
            .await
            .map_err(from_diesel)
    }

    async fn forget_devices_of(&mut self, session: SessionId) -> Result<()> {
        known_devices::forget_pending_on(&mut self.conn, session)
            .await
            .map_err(from_diesel)
    }

    async fn record(&mut self, log: &[AuditEvent]) -> Result<()> {
        let rows: Vec<events::NewEvent> = log.iter().map(events::NewEvent::from).collect();
        events::insert_all(&mut self.conn, &rows)
            .await
            .map_err(from_diesel)?;
        Ok(())
    }

    async fn events(
        &mut self,
        filter: &EventFilter,
        cursor: Option<EventCursor>,
        limit: i64,
    ) -> Result<Vec<RecordedEvent>> {
        let rows = events::list(&mut self.conn, filter, cursor, limit)
            .await
            .map_err(from_diesel)?;
        Ok(rows.into_iter().map(RecordedEvent::from).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from_server(message: &str) -> Error {
        from_diesel(DieselError::DatabaseError(
            DatabaseErrorKind::Unknown,
            Box::new(message.to_owned()),
        ))
    }

    #[test]
    fn a_database_going_away_is_unavailable_and_anything_else_internal() {
        for message in [
            "canceling statement due to statement timeout",
            "terminating connection because of crash of another server process",
            "terminating connection due to administrator command",
            "the database system is starting up",
            "the database system is in recovery mode",
            "sorry, too many clients already",
        ] {
            assert!(
                matches!(from_server(message), Error::Unavailable(_)),
                "{message}"
            );
        }
        assert!(matches!(
            from_server("column \"x\" does not exist"),
            Error::Internal(_)
        ));
    }
}
