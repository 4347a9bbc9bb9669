//! The invalidation channel over Redis pub/sub: published through the workers' own
//! connections, heard on one dedicated subscriber connection per instance, to the
//! current master: a subscription ends when the master changes (a Sentinel failover),
//! and the channel subscribes again on the new one.

use std::sync::Arc;

use futures_util::{StreamExt as _, stream::BoxStream};

use super::Transport;
use crate::{
    cache::CacheError,
    redis_connections::{RedisServer, WorkerConnections},
};

pub struct RedisChannel {
    connections: WorkerConnections,
    /// `{CACHE_KEY_PREFIX}hallpass:sessions`, and `:db{n}` after it for a database
    /// index other than 0: pub/sub channels are global to a Redis server, whatever
    /// database a client selected, so deployments sharing one keep apart by their prefix
    /// or their database.
    channel: String,
}

impl RedisChannel {
    /// Does not connect yet.
    pub fn new(server: Arc<RedisServer>, prefix: &str) -> Self {
        let db = server.current().map_or(0, |(_, client)| {
            client.get_connection_info().redis_settings().db()
        });
        let channel = match db {
            0 => format!("{prefix}hallpass:sessions"),
            db => format!("{prefix}hallpass:sessions:db{db}"),
        };
        Self {
            connections: WorkerConnections::new(server),
            channel,
        }
    }
}

#[async_trait::async_trait]
impl Transport for RedisChannel {
    fn name(&self) -> &'static str {
        "Redis pub/sub"
    }

    async fn publish(&self, payload: &str) -> Result<(), CacheError> {
        let mut conn = self.connections.get()?;
        redis::cmd("PUBLISH")
            .arg(&self.channel)
            .arg(payload)
            .query_async::<()>(&mut conn)
            .await?;
        Ok(())
    }

    async fn subscribe(&self) -> Result<BoxStream<'static, String>, CacheError> {
        let server = self.connections.server();
        let mut moved = server.changes();
        moved.mark_unchanged();
        let (_, client) = server.current()?;
        let mut pubsub = client.get_async_pubsub().await?;
        pubsub.subscribe(&self.channel).await?;
        Ok(pubsub
            .into_on_message()
            .filter_map(|message| async move { message.get_payload::<String>().ok() })
            .take_until(async move {
                let _ = moved.changed().await;
            })
            .boxed())
    }
}
