//! Redis cache through redis-rs connection managers: multiplexed connections that
//! reconnect by themselves after any loss (a Redis restart, `CLIENT KILL`, a network
//! reset), so the cache comes back as soon as Redis does. Values are tagged entries with a native
//! expiry (`SET … PX`), so a missed fence still ages out. Fills are `SET … NX`;
//! refreshing and forgetting are small Lua scripts that leave a fence alone, so each is
//! one atomic round trip.
//! Connections: [`WorkerConnections`].

use std::{sync::Arc, time::Duration};

use super::{CacheError, SharedBackend, Slot};
use crate::redis_connections::{RedisServer, WorkerConnections};

pub struct RedisCache {
    connections: WorkerConnections,
}

impl RedisCache {
    /// Does not connect yet: a Redis that is down at start-up only means cache misses.
    pub fn new(server: Arc<RedisServer>) -> Self {
        Self {
            connections: WorkerConnections::new(server),
        }
    }

    /// This worker's connection; the cache's breaker keeps requests away while a lost
    /// one is replaced.
    fn connection(&self) -> Result<redis::aio::ConnectionManager, CacheError> {
        Ok(self.connections.get()?)
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
impl SharedBackend for RedisCache {
    fn name(&self) -> &'static str {
        "Redis"
    }

    async fn get(&self, key: &str) -> Result<Option<Slot>, CacheError> {
        let mut conn = self.connection()?;
        let raw: Option<Vec<u8>> = redis::cmd("GET").arg(key).query_async(&mut conn).await?;
        let Some(bytes) = raw else {
            return Ok(None);
        };
        if bytes == FENCE.as_bytes() {
            return Ok(Some(Slot::Fenced));
        }
        // Not UTF-8 means not ours: the entry's check refuses what this makes of it.
        Ok(Some(Slot::Entry(
            String::from_utf8_lossy(&bytes).into_owned(),
        )))
    }

    async fn fill(&self, key: &str, entry: &str, ttl: Duration) -> Result<(), CacheError> {
        let mut conn = self.connection()?;
        redis::cmd("SET")
            .arg(key)
            .arg(entry)
            .arg("PX")
            .arg(millis(ttl))
            .arg("NX")
            .query_async::<()>(&mut conn)
            .await?;
        Ok(())
    }

    async fn refresh(&self, key: &str, entry: &str, ttl: Duration) -> Result<(), CacheError> {
        let mut conn = self.connection()?;
        redis::cmd("EVAL")
            .arg(REFRESH)
            .arg(1)
            .arg(key)
            .arg(entry)
            .arg(millis(ttl))
            .arg(FENCE)
            .query_async::<()>(&mut conn)
            .await?;
        Ok(())
    }

    async fn forget(&self, key: &str) -> Result<(), CacheError> {
        let mut conn = self.connection()?;
        redis::cmd("EVAL")
            .arg(FORGET)
            .arg(1)
            .arg(key)
            .arg(FENCE)
            .query_async::<()>(&mut conn)
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
        let mut conn = self.connection()?;
        pipe.query_async::<()>(&mut conn).await?;
        Ok(())
    }

    async fn ping(&self) -> Result<(), CacheError> {
        let mut conn = self.connection()?;
        redis::cmd("PING").query_async::<()>(&mut conn).await?;
        Ok(())
    }

    fn generation(&self) -> u64 {
        self.connections.server().generation()
    }
}
