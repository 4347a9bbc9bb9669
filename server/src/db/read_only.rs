//! Pooled connections left on a server that no longer takes writes: an old primary
//! fenced during a switchover (`default_transaction_read_only`), or a standby a proxy
//! routed to. A write there fails with "cannot execute … in a read-only transaction";
//! the request answers 503, and from then on, for [`SUSPECT_FOR`], every connection
//! checked out is asked whether it is read-only, and one that is gets its server session
//! ended (the pool then drops it) instead of being handed out again. New connections
//! go where `DATABASE_URL`'s `target_session_attrs=read-write` sends them. In normal
//! operation nothing is asked.

use std::{
    sync::{
        OnceLock,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use diesel::{QueryableByName, sql_types::Text};
use diesel_async::AsyncPgConnection;

/// How long after a read-only failure checked-out connections are asked.
const SUSPECT_FOR: Duration = Duration::from_secs(30);
/// Milliseconds since [`epoch`] of the last read-only failure, plus one; 0: never.
static SEEN_AT: AtomicU64 = AtomicU64::new(0);

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

fn now_ms() -> u64 {
    u64::try_from(epoch().elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// A write failed on a read-only server.
pub fn seen() {
    SEEN_AT.store(now_ms().saturating_add(1), Ordering::Relaxed);
}

/// Whether connections checked out now should be asked (a read-only failure lately).
pub fn suspected() -> bool {
    match SEEN_AT.load(Ordering::Relaxed) {
        0 => false,
        seen => now_ms() < seen.saturating_sub(1) + SUSPECT_FOR.as_millis() as u64,
    }
}

#[derive(QueryableByName)]
struct Setting {
    #[diesel(sql_type = Text)]
    transaction_read_only: String,
}

/// Whether `conn`'s server refuses writes; a connection that cannot say is left to fail
/// on its own.
pub async fn holds(conn: &mut AsyncPgConnection) -> bool {
    use diesel_async::RunQueryDsl as _;
    diesel::sql_query("SHOW transaction_read_only")
        .get_result::<Setting>(conn)
        .await
        .is_ok_and(|setting| setting.transaction_read_only == "on")
}

/// Ends `conn`'s server session, so that the pool drops it rather than handing it out
/// again (a closed connection counts as broken).
pub async fn discard(conn: &mut AsyncPgConnection) {
    use diesel_async::RunQueryDsl as _;
    // The server ends the session under this very statement: an error, as intended.
    let _ended = diesel::sql_query("SELECT pg_terminate_backend(pg_backend_pid())")
        .execute(conn)
        .await;
    // Reading the end of the stream marks the connection closed before it goes back.
    let _closed = diesel::sql_query("SELECT 1").execute(conn).await;
}
