//! PostgreSQL cache in the UNLOGGED `session_cache` table: for deployments without
//! Redis that still run several instances. A hit is one primary-key lookup. An entry is
//! stored as a JSON string (jsonb keeps strings byte for byte, which its tag needs).

use std::time::Duration;

use chrono::Utc;
use diesel::{
    prelude::*,
    sql_types::{Jsonb, Text, Timestamptz},
    upsert::excluded,
};
use diesel_async::RunQueryDsl;

use super::{CacheError, SharedBackend, Slot};
use crate::db::{DbPool, PooledConn, schema::session_cache};

pub struct PostgresCache {
    pool: DbPool,
}

impl PostgresCache {
    pub fn new(pool: DbPool) -> Self {
        Self { pool }
    }

    async fn connection(&self) -> Result<PooledConn<'_>, CacheError> {
        self.pool
            .get()
            .await
            .map_err(|error| CacheError::Postgres(error.to_string()))
    }
}

fn query_error(error: diesel::result::Error) -> CacheError {
    CacheError::Postgres(error.to_string())
}

/// What a fenced key holds: the JSON string `fenced`, which no tagged entry is.
fn fence_value() -> serde_json::Value {
    serde_json::Value::String("fenced".into())
}

/// Inserts unless a live row holds the key (an expired row waiting for the purge does not
/// count); one statement, so a concurrent fence either lands first and wins, or lands
/// after and overwrites.
const FILL: &str = "INSERT INTO session_cache (key, value, expires_at) VALUES ($1, $2, $3) \
    ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at \
    WHERE session_cache.expires_at <= now()";

#[async_trait::async_trait]
impl SharedBackend for PostgresCache {
    fn name(&self) -> &'static str {
        "PostgreSQL"
    }

    async fn get(&self, key: &str) -> Result<Option<Slot>, CacheError> {
        let mut conn = self.connection().await?;
        let value: Option<serde_json::Value> = session_cache::table
            .find(key)
            .filter(session_cache::expires_at.gt(Utc::now()))
            .select(session_cache::value)
            .first(&mut conn)
            .await
            .optional()
            .map_err(query_error)?;
        match value {
            None => Ok(None),
            Some(value) if value == fence_value() => Ok(Some(Slot::Fenced)),
            Some(serde_json::Value::String(entry)) => Ok(Some(Slot::Entry(entry))),
            // An object: an untagged entry of an earlier release.
            Some(value) => Ok(Some(Slot::Entry(value.to_string()))),
        }
    }

    async fn fill(&self, key: &str, entry: &str, ttl: Duration) -> Result<(), CacheError> {
        let value = serde_json::Value::from(entry);
        let mut conn = self.connection().await?;
        diesel::sql_query(FILL)
            .bind::<Text, _>(key)
            .bind::<Jsonb, _>(value)
            .bind::<Timestamptz, _>(Utc::now() + ttl)
            .execute(&mut conn)
            .await
            .map_err(query_error)?;
        Ok(())
    }

    async fn refresh(&self, key: &str, entry: &str, ttl: Duration) -> Result<(), CacheError> {
        let value = serde_json::Value::from(entry);
        let now = Utc::now();
        let mut conn = self.connection().await?;
        diesel::update(
            session_cache::table
                .find(key)
                .filter(session_cache::expires_at.gt(now))
                .filter(session_cache::value.ne(fence_value())),
        )
        .set((
            session_cache::value.eq(value),
            session_cache::expires_at.eq(now + ttl),
        ))
        .execute(&mut conn)
        .await
        .map_err(query_error)?;
        Ok(())
    }

    async fn forget(&self, key: &str) -> Result<(), CacheError> {
        let mut conn = self.connection().await?;
        diesel::delete(
            session_cache::table
                .find(key)
                .filter(session_cache::value.ne(fence_value())),
        )
        .execute(&mut conn)
        .await
        .map_err(query_error)?;
        Ok(())
    }

    async fn fence(&self, keys: &[String], ttl: Duration) -> Result<(), CacheError> {
        let expires_at = Utc::now() + ttl;
        let rows: Vec<_> = keys
            .iter()
            .map(|key| {
                (
                    session_cache::key.eq(key),
                    session_cache::value.eq(fence_value()),
                    session_cache::expires_at.eq(expires_at),
                )
            })
            .collect();
        let mut conn = self.connection().await?;
        diesel::insert_into(session_cache::table)
            .values(rows)
            .on_conflict(session_cache::key)
            .do_update()
            .set((
                session_cache::value.eq(excluded(session_cache::value)),
                session_cache::expires_at.eq(excluded(session_cache::expires_at)),
            ))
            .execute(&mut conn)
            .await
            .map_err(query_error)?;
        Ok(())
    }

    async fn ping(&self) -> Result<(), CacheError> {
        let mut conn = self.connection().await?;
        diesel::sql_query("SELECT 1")
            .execute(&mut conn)
            .await
            .map_err(query_error)?;
        Ok(())
    }
}

/// Deletes up to `batch` expired cache rows; run by the purge job.
pub async fn purge_expired(
    conn: &mut diesel_async::AsyncPgConnection,
    batch: i64,
) -> QueryResult<usize> {
    let expired: Vec<String> = session_cache::table
        .filter(session_cache::expires_at.lt(Utc::now()))
        .select(session_cache::key)
        .limit(batch)
        .load(conn)
        .await?;
    diesel::delete(session_cache::table.filter(session_cache::key.eq_any(expired)))
        .execute(conn)
        .await
}
