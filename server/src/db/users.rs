//! The `users` table.

use chrono::{DateTime, Utc};
use diesel::{dsl::AsSelect, expression::SqlLiteral, pg::Pg, prelude::*, sql_types::Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use hallpass_core::model::{ChosenBy, NewUser, SortKey, User, UserChanges, UserCursor, UserFilter};
use hallpass_shared::{Role, UserId, UserSort};
use uuid::Uuid;

use super::{schema::users, stored::Stored};

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// A user as stored. No `Debug`: it holds the password hash.
#[derive(Clone, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(Pg))]
pub struct UserRow {
    #[diesel(deserialize_as = Uuid)]
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Stored<Role>,
    pub password_hash: String,
    pub is_active: bool,
    pub sessions_valid_after: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_sign_in_at: Option<DateTime<Utc>>,
    pub must_change_password: bool,
}

#[derive(Insertable)]
#[diesel(table_name = users)]
pub struct NewUserRow<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: Stored<Role>,
    pub password_hash: &'a str,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        Self {
            id: row.id,
            email: row.email,
            name: row.name,
            role: row.role.0,
            password_hash: row.password_hash,
            is_active: row.is_active,
            sessions_valid_after: row.sessions_valid_after,
            created_at: row.created_at,
            updated_at: row.updated_at,
            last_sign_in_at: row.last_sign_in_at,
            must_change_password: row.must_change_password,
        }
    }
}

impl<'a> From<&'a NewUser> for NewUserRow<'a> {
    fn from(new: &'a NewUser) -> Self {
        Self {
            email: &new.email,
            name: &new.name,
            role: Stored(new.role),
            password_hash: &new.password_hash,
        }
    }
}

impl NewUserRow<'_> {
    pub async fn insert(&self, conn: &mut AsyncPgConnection) -> QueryResult<UserRow> {
        diesel::insert_into(users::table)
            .values(self)
            .returning(UserRow::as_returning())
            .get_result(conn)
            .await
    }
}

impl UserRow {
    /// Looks up by email, case-insensitively (served by the `lower(email)` unique index).
    pub async fn find_by_email(
        conn: &mut AsyncPgConnection,
        email: &str,
    ) -> QueryResult<Option<Self>> {
        users::table
            .filter(lower(users::email).eq(email.to_lowercase()))
            .select(Self::as_select())
            .first(conn)
            .await
            .optional()
    }

    pub async fn find(conn: &mut AsyncPgConnection, id: UserId) -> QueryResult<Option<Self>> {
        users::table
            .find(id.0)
            .select(Self::as_select())
            .first(conn)
            .await
            .optional()
    }

    /// Replaces the password hash and kills every session created before `now`; the user
    /// as now stored, `None` for an unknown id.
    pub async fn set_password(
        conn: &mut AsyncPgConnection,
        id: UserId,
        password_hash: &str,
        chosen_by: ChosenBy,
        now: DateTime<Utc>,
    ) -> QueryResult<Option<Self>> {
        let lifts_requirement = (chosen_by == ChosenBy::User).then_some(false);
        diesel::update(users::table.find(id.0))
            .set((
                users::password_hash.eq(password_hash),
                users::sessions_valid_after.eq(now),
                users::updated_at.eq(now),
                lifts_requirement.map(|must| users::must_change_password.eq(must)),
            ))
            .returning(Self::as_returning())
            .get_result(conn)
            .await
            .optional()
    }

    /// Used by `hallpass demo`: puts an existing account back into a known state.
    pub async fn reset(
        conn: &mut AsyncPgConnection,
        id: UserId,
        name: &str,
        role: Role,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> QueryResult<Self> {
        diesel::update(users::table.find(id.0))
            .set((
                users::name.eq(name),
                users::role.eq(Stored(role)),
                users::password_hash.eq(password_hash),
                users::is_active.eq(true),
                users::updated_at.eq(now),
            ))
            .returning(Self::as_returning())
            .get_result(conn)
            .await
    }
}

/// The last sign-in as the listing orders it: "never" is the earliest time there is, so
/// that one index (`users_last_sign_in_idx`, on this expression) orders every user.
fn last_sign_in() -> SqlLiteral<Timestamptz> {
    diesel::dsl::sql("coalesce(users.last_sign_in_at, '-infinity'::timestamptz)")
}

/// Where "never signed in" sorts: before any time.
fn never() -> SqlLiteral<Timestamptz> {
    diesel::dsl::sql("'-infinity'::timestamptz")
}

/// `%`, `_` and `\` stand for themselves in a `LIKE` pattern.
fn like_pattern(search: &str) -> String {
    let escaped = search
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

impl UserRow {
    fn filtered(filter: &UserFilter) -> users::BoxedQuery<'static, Pg> {
        let mut query = users::table.into_boxed();
        if let Some(search) = &filter.search {
            let pattern = like_pattern(search);
            query = query.filter(
                users::email
                    .ilike(pattern.clone())
                    .or(users::name.ilike(pattern)),
            );
        }
        if let Some(role) = filter.role {
            query = query.filter(users::role.eq(Stored(role)));
        }
        if let Some(active) = filter.active {
            query = query.filter(users::is_active.eq(active));
        }
        query
    }

    /// Matching users in the order `sort`, `limit` of them after `cursor`.
    pub async fn list(
        conn: &mut AsyncPgConnection,
        filter: &UserFilter,
        sort: UserSort,
        cursor: Option<&UserCursor>,
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        Self::listing(filter, sort, cursor, limit).load(conn).await
    }

    /// [`UserRow::list`]'s query (public, like every query a request runs, so a test can
    /// check its plan). Each order has its index; the first bound of each cursor
    /// (`email >= …`) bounds the index scan, so a deep page starts where the cursor
    /// points instead of filtering every earlier row; the rest only settles ties.
    pub fn listing(
        filter: &UserFilter,
        sort: UserSort,
        cursor: Option<&UserCursor>,
        limit: i64,
    ) -> users::BoxedQuery<'static, Pg, AsSelect<Self, Pg>> {
        let query = Self::filtered(filter)
            .limit(limit)
            .select(Self::as_select());
        let mut query = match sort {
            UserSort::Email => query.order((users::email.asc(), users::id.asc())),
            UserSort::Name => query.order((users::name.asc(), users::id.asc())),
            UserSort::LastSignIn => query.order((last_sign_in().desc(), users::id.asc())),
        };
        let Some(UserCursor { after, id }) = cursor else {
            return query;
        };
        let later_id = users::id.gt(id.0);
        match after.clone() {
            SortKey::Email(email) => {
                query = query
                    .filter(users::email.ge(email.clone()))
                    .filter(users::email.gt(email).or(later_id));
            }
            SortKey::Name(name) => {
                query = query
                    .filter(users::name.ge(name.clone()))
                    .filter(users::name.gt(name).or(later_id));
            }
            // The first bound bounds the index scan, the second settles the tie.
            SortKey::LastSignIn(Some(at)) => {
                query = query
                    .filter(last_sign_in().le(at))
                    .filter(last_sign_in().lt(at).or(later_id));
            }
            SortKey::LastSignIn(None) => {
                query = query
                    .filter(last_sign_in().le(never()))
                    .filter(last_sign_in().lt(never()).or(later_id));
            }
        }
        query
    }

    /// Records a sign-in's time, for the admin's users table.
    pub async fn signed_in(
        conn: &mut AsyncPgConnection,
        id: UserId,
        now: DateTime<Utc>,
    ) -> QueryResult<usize> {
        diesel::update(users::table.find(id.0))
            .set(users::last_sign_in_at.eq(now))
            .execute(conn)
            .await
    }

    /// How many users match, counting no further than `cap + 1`: a figure above `cap`
    /// means "more than `cap`", however many there are.
    pub async fn count_up_to(
        conn: &mut AsyncPgConnection,
        filter: &UserFilter,
        cap: i64,
    ) -> QueryResult<usize> {
        let ids: Vec<Uuid> = Self::counting(filter, cap).load(conn).await?;
        Ok(ids.len())
    }

    /// [`UserRow::count_up_to`]'s query.
    pub fn counting(
        filter: &UserFilter,
        cap: i64,
    ) -> users::BoxedQuery<'static, Pg, diesel::sql_types::Uuid> {
        Self::filtered(filter).select(users::id).limit(cap + 1)
    }

    /// Locks the active admins' rows for the rest of the transaction and counts them, so
    /// two concurrent demotions cannot both see "another admin remains".
    pub async fn lock_active_admins(conn: &mut AsyncPgConnection) -> QueryResult<usize> {
        let ids: Vec<Uuid> = users::table
            .filter(users::role.eq(Stored(Role::Admin)))
            .filter(users::is_active)
            .order(users::id)
            .select(users::id)
            .for_update()
            .load(conn)
            .await?;
        Ok(ids.len())
    }

    /// Locks one user's row for the rest of the transaction.
    pub async fn find_for_update(
        conn: &mut AsyncPgConnection,
        id: UserId,
    ) -> QueryResult<Option<Self>> {
        users::table
            .find(id.0)
            .select(Self::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()
    }

    /// Applies an admin's changes; `None` fields stay. Deactivation also kills every
    /// session created before `now` through `sessions_valid_after`.
    pub async fn update(
        conn: &mut AsyncPgConnection,
        id: UserId,
        changes: &UserChanges,
        now: DateTime<Utc>,
    ) -> QueryResult<Self> {
        let valid_after = (changes.is_active == Some(false)).then_some(now);
        diesel::update(users::table.find(id.0))
            .set((
                changes
                    .name
                    .as_deref()
                    .map(|name| users::name.eq(name.to_owned())),
                changes
                    .email
                    .as_deref()
                    .map(|email| users::email.eq(email.to_owned())),
                changes.role.map(|role| users::role.eq(Stored(role))),
                changes.is_active.map(|active| users::is_active.eq(active)),
                changes
                    .must_change_password
                    .map(|must| users::must_change_password.eq(must)),
                valid_after.map(|at| users::sessions_valid_after.eq(Some(at))),
                users::updated_at.eq(now),
            ))
            .returning(Self::as_returning())
            .get_result(conn)
            .await
    }

    /// Kills every session of the user created before `at` (admin "revoke all").
    pub async fn set_sessions_valid_after(
        conn: &mut AsyncPgConnection,
        id: UserId,
        at: DateTime<Utc>,
    ) -> QueryResult<usize> {
        diesel::update(users::table.find(id.0))
            .set((
                users::sessions_valid_after.eq(Some(at)),
                users::updated_at.eq(at),
            ))
            .execute(conn)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_patterns_escape_wildcards() {
        assert_eq!(like_pattern("ada"), "%ada%");
        assert_eq!(like_pattern("100%_a\\b"), "%100\\%\\_a\\\\b%");
    }
}
