//! Redis cache through bb8 pools of multiplexed connections. Values are JSON with a
//! native expiry (`SET … PX`), so a missed delete still ages out.
//!
//! Each worker thread gets its own small pool, built on first use from that thread.
//! A connection's I/O then runs on the runtime of the requests that use it, so a reply
//! wakes its request without a hop to another thread.

use std::time::Duration;

use bb8_redis::{RedisConnectionManager, bb8};
use thread_local::ThreadLocal;

use super::{CacheError, CachedSession, SessionCache};

type Pool = bb8::Pool<RedisConnectionManager>;

/// Connections per worker thread; multiplexed, so a few carry many requests.
const CONNECTIONS_PER_WORKER: u32 = 4;

pub struct RedisCache {
    manager: RedisConnectionManager,
    pools: ThreadLocal<Pool>,
}

impl RedisCache {
    /// Does not connect yet: a Redis that is down at start-up only means cache misses.
    pub fn new(url: &str) -> Result<Self, CacheError> {
        Ok(Self {
            manager: RedisConnectionManager::new(url)?,
            pools: ThreadLocal::new(),
        })
    }

    async fn connection(
        &self,
    ) -> Result<bb8::PooledConnection<'_, RedisConnectionManager>, CacheError> {
        let pool = self.pools.get_or(|| {
            bb8::Pool::builder()
                .max_size(CONNECTIONS_PER_WORKER)
                .connection_timeout(Duration::from_millis(250))
                .test_on_check_out(false)
                .build_unchecked(self.manager.clone())
        });
        pool.get()
            .await
            .map_err(|error| CacheError::RedisPool(error.to_string()))
    }
}
#[async_trait::async_trait]
impl SessionCache for RedisCache {
    fn name(&self) -> &'static str {
        "Redis"
    }

    async fn get(&self, key: &str) -> Result<Option<CachedSession>, CacheError> {
        let mut conn = self.connection().await?;
        let raw: Option<Vec<u8>> = redis::cmd("GET").arg(key).query_async(&mut *conn).await?;
        Ok(raw
            .map(|bytes| serde_json::from_slice(&bytes))
            .transpose()?)
    }

    async fn put(&self, key: &str, value: &CachedSession, ttl: Duration) -> Result<(), CacheError> {
        let bytes = serde_json::to_vec(value)?;
        let millis = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        let mut conn = self.connection().await?;
        redis::cmd("SET")
            .arg(key)
            .arg(bytes)
            .arg("PX")
            .arg(millis)
            .query_async::<()>(&mut *conn)
            .await?;
        Ok(())
    }

    async fn delete_many(&self, keys: &[String]) -> Result<(), CacheError> {
        let mut conn = self.connection().await?;
        redis::cmd("DEL")
            .arg(keys)
            .query_async::<()>(&mut *conn)
            .await?;
        Ok(())
    }

    async fn ping(&self) -> Result<(), CacheError> {
        let mut conn = self.connection().await?;
        redis::cmd("PING").query_async::<()>(&mut *conn).await?;
        Ok(())
    }
}
