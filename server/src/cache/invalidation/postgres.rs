//! The invalidation channel over PostgreSQL `LISTEN/NOTIFY`: published with `pg_notify`
//! through the pool, heard on one dedicated connection per instance. Notifications stay
//! inside the database, so deployments on separate databases never hear each other.

use diesel::sql_types::Text;
use diesel_async::{
    AsyncConnection as _, AsyncPgConnection, RunQueryDsl as _, SimpleAsyncConnection as _,
};
use futures_util::{StreamExt as _, stream::BoxStream};

use super::Transport;
use crate::{cache::CacheError, db::DbPool};

const CHANNEL: &str = "hallpass_sessions";

pub struct PostgresChannel {
    pool: DbPool,
    url: String,
}

impl PostgresChannel {
    pub fn new(pool: DbPool, url: String) -> Self {
        Self { pool, url }
    }
}

fn failed(error: impl std::fmt::Display) -> CacheError {
    CacheError::Postgres(error.to_string())
}

#[async_trait::async_trait]
impl Transport for PostgresChannel {
    fn name(&self) -> &'static str {
        "PostgreSQL LISTEN/NOTIFY"
    }

    async fn publish(&self, payload: &str) -> Result<(), CacheError> {
        let mut conn = self.pool.get().await.map_err(failed)?;
        diesel::sql_query("SELECT pg_notify($1, $2)")
            .bind::<Text, _>(CHANNEL)
            .bind::<Text, _>(payload)
            .execute(&mut conn)
            .await
            .map_err(failed)?;
        Ok(())
    }

    /// A connection of its own, outside the pool: it must stay open, listening, for as
    /// long as the instance runs.
    async fn subscribe(&self) -> Result<BoxStream<'static, String>, CacheError> {
        let mut conn = AsyncPgConnection::establish(&self.url)
            .await
            .map_err(failed)?;
        conn.batch_execute(&format!(
            "SET application_name = 'hallpass listener'; LISTEN {CHANNEL}"
        ))
        .await
        .map_err(failed)?;
        // The stream owns the connection; it ends when the connection fails.
        Ok(futures_util::stream::unfold(conn, |mut conn| async move {
            let next = std::pin::pin!(conn.notifications_stream()).next().await;
            match next {
                Some(Ok(notification)) => Some((notification.payload, conn)),
                Some(Err(_)) | None => None,
            }
        })
        .boxed())
    }
}
