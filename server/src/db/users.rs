//! The `users` table.

use chrono::{DateTime, Utc};
use diesel::{pg::Pg, prelude::*};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use hallpass_shared::{Role, UserView};
use uuid::Uuid;

use super::{schema::users, stored::Stored};

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// A user as stored. No `Debug`: it holds the password hash.
#[derive(Clone, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(Pg))]
pub struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Stored<Role>,
    pub password_hash: String,
    pub is_active: bool,
    pub sessions_valid_after: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: Stored<Role>,
    pub password_hash: &'a str,
}

impl From<&UserRow> for UserView {
    fn from(row: &UserRow) -> Self {
        Self {
            id: row.id,
            email: row.email.clone(),
            name: row.name.clone(),
            role: row.role.0,
            is_active: row.is_active,
            created_at: row.created_at,
        }
    }
}

impl NewUser<'_> {
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

    pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Self>> {
        users::table
            .find(id)
            .select(Self::as_select())
            .first(conn)
            .await
            .optional()
    }

    /// Replaces the password hash and kills every session created before `valid_after`.
    pub async fn set_password(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        password_hash: &str,
        valid_after: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> QueryResult<usize> {
        diesel::update(users::table.find(id))
            .set((
                users::password_hash.eq(password_hash),
                users::sessions_valid_after.eq(valid_after),
                users::updated_at.eq(now),
            ))
            .execute(conn)
            .await
    }

    /// Used by `hallpass demo`: puts an existing account back into a known state.
    pub async fn reset(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        name: &str,
        role: Role,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> QueryResult<Self> {
        diesel::update(users::table.find(id))
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
