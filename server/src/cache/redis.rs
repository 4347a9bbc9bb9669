//! Redis cache through bb8 pools of multiplexed connections. Values are JSON with a
//! native expiry (`SET … PX`), so a missed fence still ages out. Fills are `SET … NX`;
//! refreshing and forgetting are small Lua scripts that leave a fence alone, so each is
//! one atomic round trip.
//!
//! Each worker thread gets its own small pool, built on first use from that thread.
//! A connection's I/O then runs on the runtime of the requests that use it, so a reply
//! wakes its request without a hop to another thread.

use std::time::Duration;

use bb8_redis::{RedisConnectionManager, bb8};
use thread_local::ThreadLocal;

use super::{CacheError, CachedSession, SessionCache, Slot};

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
/// What a fenced key holds: not JSON, so no reader can take it for a session.
const FENCE: &str = "fenced";

/// Replaces the value only while it is a session (neither missing nor a fence).
const REFRESH: &str = r"
local current = redis.call('GET', KEYS[1])
if current and current ~= ARGV[3] then
  return redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
return false";

/// Deletes the value only while it is not a fence.
const FORGET: &str = r"
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0";

fn millis(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}

#[async_trait::async_trait]
impl SessionCache for RedisCache {
    fn name(&self) -> &'static str {
        "Redis"
    }

    async fn get(&self, key: &str) -> Result<Option<Slot>, CacheError> {
        let mut conn = self.connection().await?;
        let raw: Option<Vec<u8>> = redis::cmd("GET").arg(key).query_async(&mut *conn).await?;
        let Some(bytes) = raw else {
            return Ok(None);
        };
        if bytes == FENCE.as_bytes() {
            return Ok(Some(Slot::Fenced));
        }
        Ok(Some(Slot::Session(serde_json::from_slice(&bytes)?)))
    }

    async fn fill(
        &self,
        key: &str,
        value: &CachedSession,
        ttl: Duration,
    ) -> Result<(), CacheError> {
        let bytes = serde_json::to_vec(value)?;
        let mut conn = self.connection().await?;
        redis::cmd("SET")
            .arg(key)
            .arg(bytes)
            .arg("PX")
            .arg(millis(ttl))
            .arg("NX")
            .query_async::<()>(&mut *conn)
            .await?;
        Ok(())
    }

    async fn refresh(
        &self,
        key: &str,
        value: &CachedSession,
        ttl: Duration,
    ) -> Result<(), CacheError> {
        let bytes = serde_json::to_vec(value)?;
        let mut conn = self.connection().await?;
        redis::cmd("EVAL")
            .arg(REFRESH)
            .arg(1)
            .arg(key)
            .arg(bytes)
            .arg(millis(ttl))
            .arg(FENCE)
            .query_async::<()>(&mut *conn)
            .await?;
        Ok(())
    }

    async fn forget(&self, key: &str) -> Result<(), CacheError> {
        let mut conn = self.connection().await?;
        redis::cmd("EVAL")
            .arg(FORGET)
            .arg(1)
            .arg(key)
            .arg(FENCE)
            .query_async::<()>(&mut *conn)
            .await?;
        Ok(())
    }

    async fn fence(&self, keys: &[String], ttl: Duration) -> Result<(), CacheError> {
        let mut pipe = redis::pipe();
        for key in keys {
            pipe.cmd("SET")
                .arg(key)
                .arg(FENCE)
                .arg("PX")
                .arg(millis(ttl))
                .ignore();
        }
        let mut conn = self.connection().await?;
        pipe.query_async::<()>(&mut *conn).await?;
        Ok(())
    }

    async fn ping(&self) -> Result<(), CacheError> {
        let mut conn = self.connection().await?;
        redis::cmd("PING").query_async::<()>(&mut *conn).await?;
        Ok(())
    }
}
