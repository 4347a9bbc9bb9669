//! The invalidation channel's two loops: publishing this instance's heartbeat, and
//! listening for the other instances' fences (see [`crate::cache::invalidation`]).

use std::sync::Arc;

use crate::cache::Cache;

pub fn spawn(cache: Arc<Cache>) {
    let beating = Arc::clone(&cache);
    tokio::spawn(async move { beating.beat().await });
    tokio::spawn(async move { cache.listen().await });
}
