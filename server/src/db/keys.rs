//! The `server_keys` table: secrets generated once and shared by every instance.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::schema::server_keys;

/// Returns the stored secret `name`, storing `candidate` first if there is none.
/// Race-free: concurrent first starts all end up with the same winner.
pub async fn load_or_store(
    conn: &mut AsyncPgConnection,
    name: &str,
    candidate: &[u8],
) -> QueryResult<Vec<u8>> {
    diesel::insert_into(server_keys::table)
        .values((
            server_keys::name.eq(name),
            server_keys::secret.eq(candidate),
        ))
        .on_conflict(server_keys::name)
        .do_nothing()
        .execute(conn)
        .await?;
    server_keys::table
        .find(name)
        .select(server_keys::secret)
        .first(conn)
        .await
}
