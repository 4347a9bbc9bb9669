//! The invalidation channel over Redis pub/sub: published through the workers' own
//! connections, heard on one dedicated subscriber connection per instance.

use futures_util::{StreamExt as _, stream::BoxStream};

use super::Transport;
use crate::{cache::CacheError, redis_connections::WorkerConnections};

pub struct RedisChannel {
    client: redis::Client,
    connections: WorkerConnections,
    /// `{CACHE_KEY_PREFIX}hallpass:sessions`: deployments sharing a Redis keep apart.
    channel: String,
}

impl RedisChannel {
    /// Does not connect yet.
    pub fn new(url: &str, prefix: &str) -> Result<Self, CacheError> {
        Ok(Self {
            client: redis::Client::open(url)?,
            connections: WorkerConnections::new(url)?,
            channel: format!("{prefix}hallpass:sessions"),
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
