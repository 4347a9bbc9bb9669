//! Counters in Redis: one hash per key (`count`, `until` in Redis's own milliseconds),
//! changed by Lua scripts, so that each operation is atomic and one round trip, and all
//! instances read one clock. Connections: [`WorkerConnections`].

use std::{sync::Arc, time::Duration};

use redis::aio::ConnectionManager;

use super::{AttemptStore, Backoff, Charge, MAX_DOUBLINGS, StoreError, Verdict};
use crate::redis_connections::{RedisServer, WorkerConnections};

/// KEYS: the keys; ARGV: base ms, cap ms, memory ms, max doublings, then each key's limit.
/// Returns the milliseconds to wait, 0 when the attempt was counted.
const ATTEMPT: &str = r"
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local wait = 0
for _, key in ipairs(KEYS) do
  local locked = tonumber(redis.call('HGET', key, 'until') or '0')
  if locked - now > wait then wait = locked - now end
end
if wait > 0 then return wait end
local base, cap, memory, doublings = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
for i, key in ipairs(KEYS) do
  local count = redis.call('HINCRBY', key, 'count', 1)
  local limit = tonumber(ARGV[4 + i])
  if count >= limit then
    local delay = math.min(base * 2 ^ math.min(count - limit, doublings), cap)
    redis.call('HSET', key, 'until', now + delay)
  end
  redis.call('PEXPIRE', key, memory)
end
return 0";

/// KEYS: the keys to forget, then those to give one attempt back; ARGV[1]: how many to
/// forget.
const SETTLE: &str = r"
local forget = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  if i <= forget then
    redis.call('DEL', key)
  elseif tonumber(redis.call('HGET', key, 'count') or '0') > 0 then
    redis.call('HINCRBY', key, 'count', -1)
  end
end
return 0";

pub struct RedisAttempts {
    connections: WorkerConnections,
}

impl RedisAttempts {
    /// Does not connect yet.
    pub fn new(server: Arc<RedisServer>) -> Self {
        Self {
            connections: WorkerConnections::new(server),
        }
    }

    fn connection(&self) -> Result<ConnectionManager, StoreError> {
        self.connections.get().map_err(failed)
    }
}

fn failed(error: redis::RedisError) -> StoreError {
    StoreError(format!("redis: {error}"))
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[async_trait::async_trait]
impl AttemptStore for RedisAttempts {
    fn name(&self) -> &'static str {
        "Redis"
    }

    async fn attempt(&self, charges: &[Charge], backoff: Backoff) -> Result<Verdict, StoreError> {
        let mut command = redis::cmd("EVAL");
        command.arg(ATTEMPT).arg(charges.len());
        for charge in charges {
            command.arg(&charge.key);
        }
        command
            .arg(millis(backoff.base))
            .arg(millis(backoff.cap))
            .arg(millis(backoff.memory()))
            .arg(MAX_DOUBLINGS);
        for charge in charges {
            command.arg(charge.limit);
        }
        let mut conn = self.connection()?;
        let wait_ms: u64 = command.query_async(&mut conn).await.map_err(failed)?;
        Ok(match wait_ms {
            0 => Verdict::Allowed,
            ms => Verdict::Wait(Duration::from_millis(ms)),
        })
    }

    async fn settle(&self, reset: &[String], release: &[String]) -> Result<(), StoreError> {
        let mut command = redis::cmd("EVAL");
        command
            .arg(SETTLE)
            .arg(reset.len() + release.len())
            .arg(reset)
            .arg(release)
            .arg(reset.len());
        let mut conn = self.connection()?;
        command.query_async::<()>(&mut conn).await.map_err(failed)
    }
}
