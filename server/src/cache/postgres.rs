//! PostgreSQL cache in the UNLOGGED `session_cache` table: for deployments without
//! Redis that still run several instances. A hit is one primary-key lookup.

use std::time::Duration;

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::{CacheError, CachedSession, SessionCache};
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

#[async_trait::async_trait]
impl SessionCache for PostgresCache {
    fn name(&self) -> &'static str {
        "PostgreSQL"
    }

    async fn get(&self, key: &str) -> Result<Option<CachedSession>, CacheError> {
        let mut conn = self.connection().await?;
        let value: Option<serde_json::Value> = session_cache::table
            .find(key)
            .filter(session_cache::expires_at.gt(Utc::now()))
            .select(session_cache::value)
            .first(&mut conn)
            .await
            .optional()
            .map_err(query_error)?;
        Ok(value.map(serde_json::from_value).transpose()?)
    }

    async fn put(&self, key: &str, value: &CachedSession, ttl: Duration) -> Result<(), CacheError> {
        let value = serde_json::to_value(value)?;
        let expires_at = Utc::now() + ttl;
        let mut conn = self.connection().await?;
        diesel::insert_into(session_cache::table)
            .values((
                session_cache::key.eq(key),
                session_cache::value.eq(&value),
                session_cache::expires_at.eq(expires_at),
            ))
            .on_conflict(session_cache::key)
            .do_update()
            .set((
                session_cache::value.eq(&value),
                session_cache::expires_at.eq(expires_at),
            ))
            .execute(&mut conn)
            .await
            .map_err(query_error)?;
        Ok(())
    }

    async fn delete_many(&self, keys: &[String]) -> Result<(), CacheError> {
        let mut conn = self.connection().await?;
        diesel::delete(session_cache::table.filter(session_cache::key.eq_any(keys)))
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
