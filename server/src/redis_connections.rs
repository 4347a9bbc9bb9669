//! Redis connections shared by the session cache and the login counters: one redis-rs
//! `ConnectionManager` per worker thread (made on first use from that thread, so a reply
//! wakes its request without a hop to another thread), which reconnects by itself after
//! any loss, and gives up quickly when Redis does not answer.

use std::time::Duration;

use redis::{
    RedisResult,
    aio::{ConnectionManager, ConnectionManagerConfig},
};
use thread_local::ThreadLocal;

/// A command that gets no answer in this long fails.
const RESPONSE_TIMEOUT: Duration = Duration::from_millis(500);
/// Connecting (or reconnecting) gives up after this long per attempt.
const CONNECT_TIMEOUT: Duration = Duration::from_millis(250);

pub struct WorkerConnections {
    client: redis::Client,
    connections: ThreadLocal<ConnectionManager>,
}

impl WorkerConnections {
    /// Does not connect yet: a Redis that is down at start-up fails commands, not start-up.
    pub fn new(url: &str) -> RedisResult<Self> {
        Ok(Self {
            client: redis::Client::open(url)?,
            connections: ThreadLocal::new(),
        })
    }

    /// This worker's connection. A lost one is replaced in the background after the
    /// command that found it lost fails.
    pub fn get(&self) -> RedisResult<ConnectionManager> {
        let config = ConnectionManagerConfig::new()
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        self.connections
            .get_or_try(|| ConnectionManager::new_lazy_with_config(self.client.clone(), config))
            .cloned()
    }
}
