//! PostgreSQL: the connection pool, creating the database when it is missing, and the
//! embedded migrations. Query functions live in one module per table.

pub mod events;
pub mod keys;
pub mod known_devices;
pub mod policies;
mod pool;
mod read_only;
pub mod schema;
pub mod sessions;
pub mod store;
pub mod stored;
pub mod users;

use std::time::Duration;

use anyhow::Context as _;
use diesel::{ConnectionError, ConnectionResult};
use diesel_async::{
    AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection,
    async_connection_wrapper::AsyncConnectionWrapper,
    pooled_connection::{AsyncDieselConnectionManager, ManagerConfig, bb8},
};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use futures_util::{FutureExt, future::BoxFuture};

pub use diesel_async::AsyncPgConnection as Connection;

pub use pool::{CheckoutError, DbPool, PooledConn};
pub use store::PgStore;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations");

/// Builds the pool. Every connection gets a name operators can spot in
/// `pg_stat_activity` and a statement timeout of `query_timeout`, so one stuck query
/// cannot hold a pooled connection forever. Connections are not pinged on checkout: a
/// dead one fails its query, is dropped by the pool, and the request answers 503 rather
/// than paying a round trip on every request.
pub async fn connect(
    url: &str,
    size: u32,
    timeout: Duration,
    query_timeout: Duration,
) -> anyhow::Result<DbPool> {
    let setup = format!(
        "SET application_name = 'hallpass'; SET statement_timeout = {};",
        query_timeout.as_millis()
    );
    let mut config = ManagerConfig::default();
    config.custom_setup = Box::new(move |url| establish(url, setup.clone()));
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(url, config);
    let builder = bb8::Pool::builder()
        .max_size(size)
        .connection_timeout(timeout)
        .test_on_check_out(false);
    DbPool::build(builder, manager)
        .await
        .context("connecting to PostgreSQL")
}

fn establish(url: &str, setup: String) -> BoxFuture<'_, ConnectionResult<AsyncPgConnection>> {
    async move {
        let mut conn = AsyncPgConnection::establish(url).await?;
        conn.batch_execute(&setup)
            .await
            .map_err(ConnectionError::CouldntSetupConfiguration)?;
        Ok(conn)
    }
    .boxed()
}

/// One round trip that proves the connection answers (readiness).
pub async fn ping(conn: &mut AsyncPgConnection) -> diesel::QueryResult<usize> {
    diesel_async::RunQueryDsl::execute(diesel::sql_query("SELECT 1"), conn).await
}

/// Creates the database named in `url` when it does not exist yet, by connecting to the
/// `postgres` maintenance database of the same server.
pub async fn create_database_if_missing(url: &str) -> anyhow::Result<()> {
    if AsyncPgConnection::establish(url).await.is_ok() {
        return Ok(());
    }
    let (maintenance_url, name) = split_database_name(url)
        .with_context(|| "DATABASE_URL must name a database, e.g. postgres://localhost/hallpass")?;
    let mut conn = AsyncPgConnection::establish(&maintenance_url)
        .await
        .context("connecting to the `postgres` maintenance database to create the database")?;
    let statement = format!("CREATE DATABASE \"{}\"", name.replace('"', "\"\""));
    match diesel::sql_query(statement).execute(&mut conn).await {
        Ok(_) => {
            tracing::info!(db.name = %name, "created database {name}");
            Ok(())
        }
        // Another instance created it meanwhile.
        Err(diesel::result::Error::DatabaseError(_, info))
            if info.message().contains("already exists") =>
        {
            Ok(())
        }
        Err(error) => Err(error).with_context(|| format!("creating database {name}")),
    }
}

/// `postgres://h/db?x=y` -> (`postgres://h/postgres?x=y`, `db`). Read by hand rather than
/// as a URL: libpq's syntax lists several hosts (`postgres://h1:5432,h2:5432/db`), which
/// no URL parser takes.
fn split_database_name(raw: &str) -> Option<(String, String)> {
    let (scheme, rest) = raw.split_once("://")?;
    let (authority, path) = rest.split_once('/')?;
    let (name, query) = match path.split_once('?') {
        Some((name, query)) => (name, Some(query)),
        None => (path, None),
    };
    if name.is_empty() || name.contains('/') {
        return None;
    }
    let query = query.map(|query| format!("?{query}")).unwrap_or_default();
    Some((
        format!("{scheme}://{authority}/postgres{query}"),
        name.to_owned(),
    ))
}

/// Applies pending migrations. Diesel's harness is synchronous, so it runs on a blocking
/// thread through diesel-async's wrapper (safe on actix's current-thread runtimes).
pub async fn migrate(url: &str) -> anyhow::Result<usize> {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut conn =
            <AsyncConnectionWrapper<AsyncPgConnection> as diesel::Connection>::establish(&url)
                .context("connecting to PostgreSQL to migrate")?;
        let applied = conn
            .run_pending_migrations(MIGRATIONS)
            .map_err(|error| anyhow::anyhow!("running migrations: {error}"))?;
        Ok(applied.len())
    })
    .await
    .context("migration task panicked")?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maintenance_url_keeps_host_and_options() {
        assert_eq!(
            split_database_name("postgres://u@127.0.0.1:5432/hallpass?sslmode=disable"),
            Some((
                "postgres://u@127.0.0.1:5432/postgres?sslmode=disable".to_owned(),
                "hallpass".to_owned()
            ))
        );
        assert_eq!(
            split_database_name(
                "postgres://u@10.0.0.1:5432,10.0.0.2:5432/hallpass?target_session_attrs=read-write"
            ),
            Some((
                "postgres://u@10.0.0.1:5432,10.0.0.2:5432/postgres?target_session_attrs=read-write"
                    .to_owned(),
                "hallpass".to_owned()
            )),
            "several hosts, libpq's way"
        );
        assert_eq!(split_database_name("postgres://localhost"), None);
        assert_eq!(split_database_name("postgres://localhost/"), None);
    }
}
