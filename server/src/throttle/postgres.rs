//! Counters in PostgreSQL (the UNLOGGED `login_attempts` table): an attempt is one call
//! of the `login_attempt` function (see its migration), settling is one statement.

use std::time::Duration;

use chrono::Utc;
use diesel::{
    ExpressionMethods as _, QueryDsl as _, QueryResult, sql_query,
    sql_types::{Array, BigInt, Integer, Text},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl as _};

use super::{AttemptStore, Backoff, Charge, MAX_DOUBLINGS, StoreError, Verdict};
use crate::db::{DbPool, schema::login_attempts};

pub struct PostgresAttempts {
    pool: DbPool,
}

impl PostgresAttempts {
    pub fn new(pool: DbPool) -> Self {
        Self { pool }
    }
}

#[derive(diesel::QueryableByName)]
struct Waited {
    #[diesel(sql_type = BigInt)]
    wait_ms: i64,
}

fn failed(error: impl std::fmt::Display) -> StoreError {
    StoreError(format!("postgres: {error}"))
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

#[async_trait::async_trait]
impl AttemptStore for PostgresAttempts {
    fn name(&self) -> &'static str {
        "PostgreSQL"
    }

    async fn attempt(&self, charges: &[Charge], backoff: Backoff) -> Result<Verdict, StoreError> {
        let keys: Vec<&str> = charges.iter().map(|charge| charge.key.as_str()).collect();
        let limits: Vec<i32> = charges
            .iter()
            .map(|charge| i32::try_from(charge.limit).unwrap_or(i32::MAX))
            .collect();
        let mut conn = self.pool.get().await.map_err(failed)?;
        let waited: Waited = sql_query("SELECT login_attempt($1, $2, $3, $4, $5, $6) AS wait_ms")
            .bind::<Array<Text>, _>(keys)
            .bind::<Array<Integer>, _>(limits)
            .bind::<BigInt, _>(millis(backoff.base))
            .bind::<BigInt, _>(millis(backoff.cap))
            .bind::<BigInt, _>(millis(backoff.memory()))
            .bind::<Integer, _>(i32::try_from(MAX_DOUBLINGS).unwrap_or(i32::MAX))
            .get_result(&mut conn)
            .await
            .map_err(failed)?;
        Ok(match u64::try_from(waited.wait_ms) {
            Ok(0) | Err(_) => Verdict::Allowed,
            Ok(ms) => Verdict::Wait(Duration::from_millis(ms)),
        })
    }

    async fn settle(&self, reset: &[String], release: &[String]) -> Result<(), StoreError> {
        let mut conn = self.pool.get().await.map_err(failed)?;
        sql_query(
            "WITH forgotten AS (DELETE FROM login_attempts WHERE key = ANY ($1)) \
             UPDATE login_attempts SET count = greatest(count - 1, 0) WHERE key = ANY ($2)",
        )
        .bind::<Array<Text>, _>(reset)
        .bind::<Array<Text>, _>(release)
        .execute(&mut conn)
        .await
        .map_err(failed)?;
        Ok(())
    }
}

/// Deletes up to `batch` counters nobody has tried for a while (the purge job).
pub async fn purge_forgotten(conn: &mut AsyncPgConnection, batch: i64) -> QueryResult<usize> {
    let forgotten: Vec<String> = login_attempts::table
        .filter(login_attempts::forgotten_at.lt(Utc::now()))
        .select(login_attempts::key)
        .limit(batch)
        .load(conn)
        .await?;
    diesel::delete(login_attempts::table.filter(login_attempts::key.eq_any(forgotten)))
        .execute(conn)
        .await
}
