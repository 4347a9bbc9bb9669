//! The `role_policies` table (one row per role an admin set a policy for), and the
//! questions a policy asks of `user_sessions`: which live sessions it ends at once, and
//! who holds more sessions than it allows.

use chrono::{DateTime, Utc};
use diesel::{
    dsl::{IntervalDsl as _, count_star},
    pg::Pg,
    prelude::*,
    sql_types::Bool,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use hallpass_core::policies::{Ended, Holders, RolePolicy, StoredPolicy};
use hallpass_shared::{PolicySettings, Role, UserId};
use uuid::Uuid;

use super::{
    schema::{role_policies, user_sessions, users},
    stored::Stored,
};

/// A row; as a changeset, `None` writes NULL (an idle timeout turned off is stored off).
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = role_policies, check_for_backend(Pg), treat_none_as_null = true)]
pub struct RolePolicyRow {
    pub role: Stored<Role>,
    pub lifetime_seconds: i64,
    pub idle_timeout_seconds: Option<i64>,
    pub max_sessions: i32,
    pub ended_opened_before: Option<DateTime<Utc>>,
    pub ended_seen_before: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<Uuid>,
}

impl RolePolicyRow {
    fn new(stored: &StoredPolicy, by: UserId, now: DateTime<Utc>) -> Self {
        let settings = stored.policy.settings();
        let seconds = |value: u64| i64::try_from(value).unwrap_or(i64::MAX);
        Self {
            role: Stored(stored.role),
            lifetime_seconds: seconds(settings.lifetime_seconds),
            idle_timeout_seconds: settings.idle_timeout_seconds.map(seconds),
            max_sessions: i32::try_from(settings.max_sessions).unwrap_or(i32::MAX),
            ended_opened_before: stored.ended.opened_before,
            ended_seen_before: stored.ended.seen_before,
            updated_at: now,
            updated_by: Some(by.0),
        }
    }

    /// The row as the domain's policy; `Err` for a row the table's checks should have
    /// kept out.
    fn stored(self) -> Result<StoredPolicy, String> {
        let seconds = |value: i64| u64::try_from(value).map_err(|_| "a negative duration");
        let settings = PolicySettings {
            lifetime_seconds: seconds(self.lifetime_seconds)?,
            idle_timeout_seconds: self.idle_timeout_seconds.map(seconds).transpose()?,
            max_sessions: u32::try_from(self.max_sessions).map_err(|_| "a negative limit")?,
        };
        let policy = RolePolicy::from_settings(&settings)
            .map_err(|error| format!("role_policies row for {}: {error}", self.role.0))?;
        Ok(StoredPolicy {
            role: self.role.0,
            policy,
            ended: Ended {
                opened_before: self.ended_opened_before,
                seen_before: self.ended_seen_before,
            },
        })
    }

    /// Every stored policy.
    pub async fn all(
        conn: &mut AsyncPgConnection,
    ) -> QueryResult<Vec<Result<StoredPolicy, String>>> {
        let rows: Vec<Self> = role_policies::table
            .select(Self::as_select())
            .load(conn)
            .await?;
        Ok(rows.into_iter().map(Self::stored).collect())
    }

    /// Keeps other changes of any role's policy out until the transaction ends (reads
    /// go on).
    pub async fn lock(conn: &mut AsyncPgConnection) -> QueryResult<()> {
        diesel::sql_query("LOCK TABLE role_policies IN SHARE ROW EXCLUSIVE MODE")
            .execute(conn)
            .await
            .map(drop)
    }

    /// Records a role's policy, replacing the one before.
    pub async fn put(
        conn: &mut AsyncPgConnection,
        stored: &StoredPolicy,
        by: UserId,
        now: DateTime<Utc>,
    ) -> QueryResult<()> {
        let row = Self::new(stored, by, now);
        diesel::insert_into(role_policies::table)
            .values(&row)
            .on_conflict(role_policies::role)
            .do_update()
            .set(&row)
            .execute(conn)
            .await
            .map(drop)
    }
}

type HoldersFilter = Box<dyn BoxableExpression<user_sessions::table, Pg, SqlType = Bool>>;

/// The sessions of `holders`.
fn held_by(holders: Holders) -> HoldersFilter {
    match holders {
        Holders::User(id) => Box::new(user_sessions::user_id.eq(id.0)),
        Holders::Role(role) => Box::new(
            user_sessions::user_id.eq_any(
                users::table
                    .filter(users::role.eq(Stored(role)))
                    .select(users::id),
            ),
        ),
    }
}

/// Live sessions of `holders` that `policy` ends at `now`: older than its lifetime, or
/// unused longer than its idle timeout (with the touch interval's allowance).
fn ending(
    holders: Holders,
    policy: &RolePolicy,
    now: DateTime<Utc>,
) -> user_sessions::BoxedQuery<'static, Pg> {
    let too_old: HoldersFilter = Box::new(user_sessions::created.le(now - policy.lifetime));
    let ends: HoldersFilter = match policy.idle_cutoff(now) {
        Some(cutoff) => Box::new(too_old.or(user_sessions::last_seen_at.lt(cutoff))),
        None => too_old,
    };
    user_sessions::table
        .filter(user_sessions::is_active)
        .filter(user_sessions::expires_at.gt(now))
        .filter(held_by(holders))
        .filter(ends)
        .into_boxed()
}

/// How many live sessions of `holders` `policy` would end at `now`.
pub async fn count_ending(
    conn: &mut AsyncPgConnection,
    holders: Holders,
    policy: &RolePolicy,
    now: DateTime<Utc>,
) -> QueryResult<i64> {
    ending(holders, policy, now)
        .select(count_star())
        .get_result(conn)
        .await
}

/// Brings the live sessions of `holders` within `policy`: no expiry later than the
/// lifetime allows, and those unused longer than the idle timeout expire `now`.
pub async fn bring_within(
    conn: &mut AsyncPgConnection,
    holders: Holders,
    policy: &RolePolicy,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    let lifetime = policy.lifetime.num_seconds().seconds();
    diesel::update(user_sessions::table)
        .filter(user_sessions::is_active)
        .filter(held_by(holders))
        .filter(user_sessions::expires_at.gt(user_sessions::created + lifetime))
        .set(user_sessions::expires_at.eq(user_sessions::created + lifetime))
        .execute(conn)
        .await?;
    if let Some(cutoff) = policy.idle_cutoff(now) {
        diesel::update(user_sessions::table)
            .filter(user_sessions::is_active)
            .filter(held_by(holders))
            .filter(user_sessions::expires_at.gt(now))
            .filter(user_sessions::last_seen_at.lt(cutoff))
            .set(user_sessions::expires_at.eq(now))
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// How many `role` users hold more than `max_sessions` live sessions.
pub async fn count_users_over(
    conn: &mut AsyncPgConnection,
    role: Role,
    max_sessions: u32,
    now: DateTime<Utc>,
) -> QueryResult<i64> {
    let over: Vec<Uuid> = user_sessions::table
        .filter(user_sessions::is_active)
        .filter(user_sessions::expires_at.gt(now))
        .filter(held_by(Holders::Role(role)))
        .group_by(user_sessions::user_id)
        .having(count_star().gt(i64::from(max_sessions)))
        .select(user_sessions::user_id)
        .load(conn)
        .await?;
    Ok(over.len() as i64)
}
