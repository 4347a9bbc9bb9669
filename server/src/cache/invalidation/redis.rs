//! The invalidation channel over Redis pub/sub: published through the workers' own
//! connections, heard on one dedicated subscriber connection per instance.

use futures_util::{StreamExt as _, stream::BoxStream};

use super::Transport;
use crate::{cache::CacheError, redis_connections::WorkerConnections};

pub struct RedisChannel {
    client: redis::Client,
    connections: WorkerConnections,
    /// `{CACHE_KEY_PREFIX}hallpass:sessions`, and `:db{n}` after it for a database
    /// index other than 0: pub/sub channels are global to a Redis server, whatever
    /// database a client selected, so deployments sharing one keep apart by their prefix
    /// or their database.
    channel: String,
}

impl RedisChannel {
    /// Does not connect yet.
    pub fn new(url: &str, prefix: &str) -> Result<Self, CacheError> {
        let client = redis::Client::open(url)?;
        let channel = match client.get_connection_info().redis_settings().db() {
            0 => format!("{prefix}hallpass:sessions"),
            db => format!("{prefix}hallpass:sessions:db{db}"),
        };
        Ok(Self {
            client,
            connections: WorkerConnections::new(url)?,
            channel,
        })
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
        let mut pubsub = self.client.get_async_pubsub().await?;
        pubsub.subscribe(&self.channel).await?;
        Ok(pubsub
            .into_on_message()
            .filter_map(|message| async move { message.get_payload::<String>().ok() })
            .boxed())
    }
}
