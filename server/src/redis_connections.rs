//! Redis connections shared by the session cache, the login counters and the
//! invalidation channel. [`RedisServer`] knows which server to talk to: the one
//! `REDIS_URL` names, or the master a set of sentinels names (`REDIS_SENTINELS`), which
//! it follows through failovers: it hears the sentinels' `+switch-master`, and asks them
//! again every second in any case. Each change of master is a new *generation*: every
//! user of Redis moves to the new master at its next command. [`WorkerConnections`] keeps
//! one redis-rs `ConnectionManager` per worker thread (made on first use from that
//! thread, so a reply wakes its request without a hop to another thread), which
//! reconnects by itself after any loss and gives up quickly when Redis does not answer.

use std::{
    cell::RefCell,
    sync::{Arc, RwLock},
    time::Duration,
};

use futures_util::StreamExt as _;
use redis::{
    ConnectionAddr, ErrorKind, IntoConnectionInfo as _, RedisConnectionInfo, RedisResult,
    aio::{ConnectionManager, ConnectionManagerConfig},
};
use secrecy::ExposeSecret as _;
use thread_local::ThreadLocal;
use tokio::sync::{Notify, watch};

use crate::config::SentinelSettings;

/// A command that gets no answer in this long fails.
const RESPONSE_TIMEOUT: Duration = Duration::from_millis(500);
/// Connecting (or reconnecting) gives up after this long per attempt.
const CONNECT_TIMEOUT: Duration = Duration::from_millis(250);
/// How often the sentinels are asked for the master, heard switch or not.
const ASK_SENTINELS_EVERY: Duration = Duration::from_secs(1);
/// How long after losing a sentinel's subscription the next sentinel is tried.
const RESUBSCRIBE_AFTER: Duration = Duration::from_millis(100);

/// The Redis server in use, and how to find the next one.
pub struct RedisServer {
    sentinels: Option<SentinelSettings>,
    /// The current master's client and its generation; `None` until a sentinel named
    /// one.
    current: RwLock<Option<(u64, redis::Client)>>,
    /// The generation, for those who wait for a change.
    generation: watch::Sender<u64>,
    /// Woken by a sentinel's `+switch-master`.
    switched: Notify,
}

impl RedisServer {
    /// The one server `url` names. Does not connect yet: a Redis that is down at start-up
    /// fails commands, not start-up.
    pub fn at(url: &str) -> RedisResult<Arc<Self>> {
        let client = redis::Client::open(url)?;
        Ok(Arc::new(Self {
            sentinels: None,
            current: RwLock::new(Some((1, client))),
            generation: watch::channel(1).0,
            switched: Notify::new(),
        }))
    }

    /// The master the sentinels name; known once [`RedisServer::follow`] has asked them.
    pub fn under_sentinels(sentinels: SentinelSettings) -> Arc<Self> {
        Arc::new(Self {
            sentinels: Some(sentinels),
            current: RwLock::new(None),
            generation: watch::channel(0).0,
            switched: Notify::new(),
        })
    }

    /// The current server's client and its generation.
    pub fn current(&self) -> RedisResult<(u64, redis::Client)> {
        self.current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
            .ok_or_else(|| (ErrorKind::Io, "no Redis master known yet").into())
    }

    /// The current generation (0 while no master is known).
    pub fn generation(&self) -> u64 {
        *self.generation.borrow()
    }

    /// Changes of generation, from now on.
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.generation.subscribe()
    }

    /// With sentinels: asks them for the master now, then follows every switch for ever
    /// (spawned at start-up). Without, returns at once.
    pub async fn follow(self: Arc<Self>) {
        let Some(sentinels) = self.sentinels.clone() else {
            return;
        };
        tokio::spawn(listen_for_switches(Arc::clone(&self), sentinels.clone()));
        loop {
            if let Some(master) = ask_for_master(&sentinels).await {
                self.adopt(&master, &sentinels);
            }
            tokio::select! {
                () = self.switched.notified() => {}
                () = tokio::time::sleep(ASK_SENTINELS_EVERY) => {}
            }
        }
    }

    /// Makes `master` the server in use, as a new generation, unless it already is.
    fn adopt(&self, master: &ConnectionAddr, sentinels: &SentinelSettings) {
        let mut current = self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if current
            .as_ref()
            .is_some_and(|(_, client)| client.get_connection_info().addr() == master)
        {
            return;
        }
        let mut settings = RedisConnectionInfo::default();
        if let Some(password) = &sentinels.password {
            settings = settings.set_password(password.expose_secret());
        }
        let info = master
            .clone()
            .into_connection_info()
            .map(|info| info.set_redis_settings(settings));
        let client = match info.and_then(redis::Client::open) {
            Ok(client) => client,
            Err(error) => {
                tracing::error!("the sentinels name a master Hallpass cannot use: {error}");
                return;
            }
        };
        let generation = self.generation() + 1;
        *current = Some((generation, client));
        drop(current);
        self.generation.send_replace(generation);
        tracing::info!(redis.master = %master, "Redis master is now {master}");
    }
}

/// The master the first answering sentinel names.
async fn ask_for_master(sentinels: &SentinelSettings) -> Option<ConnectionAddr> {
    for sentinel in &sentinels.sentinels {
        let asked = async {
            let mut conn = sentinel_client(sentinel, sentinels)?
                .get_multiplexed_async_connection()
                .await?;
            redis::cmd("SENTINEL")
                .arg("get-master-addr-by-name")
                .arg(&sentinels.master)
                .query_async::<Option<(String, u16)>>(&mut conn)
                .await
        };
        match tokio::time::timeout(RESPONSE_TIMEOUT, asked).await {
            Ok(Ok(Some((host, port)))) => return Some(ConnectionAddr::Tcp(host, port)),
            Ok(Ok(None)) => tracing::warn!(
                redis.sentinel = %sentinel,
                "the sentinel monitors no master named {}",
                sentinels.master
            ),
            Ok(Err(error)) => tracing::debug!(redis.sentinel = %sentinel, "sentinel: {error}"),
            Err(_) => tracing::debug!(redis.sentinel = %sentinel, "sentinel did not answer"),
        }
    }
    None
}

/// Subscribes to `+switch-master` on one sentinel after another, waking the follower at
/// each switch of our master.
async fn listen_for_switches(server: Arc<RedisServer>, sentinels: SentinelSettings) {
    loop {
        for sentinel in &sentinels.sentinels {
            let subscribed = async {
                let mut pubsub = sentinel_client(sentinel, &sentinels)?
                    .get_async_pubsub()
                    .await?;
                pubsub.subscribe("+switch-master").await?;
                RedisResult::Ok(pubsub)
            };
            let Ok(Ok(pubsub)) = tokio::time::timeout(RESPONSE_TIMEOUT, subscribed).await else {
                continue;
            };
            let mut messages = pubsub.into_on_message();
            while let Some(message) = messages.next().await {
                // `{master name} {old ip} {old port} {new ip} {new port}`
                let payload: String = message.get_payload().unwrap_or_default();
                if payload.split(' ').next() == Some(sentinels.master.as_str()) {
                    server.switched.notify_one();
                }
            }
        }
        tokio::time::sleep(RESUBSCRIBE_AFTER).await;
    }
}

fn sentinel_client(address: &str, sentinels: &SentinelSettings) -> RedisResult<redis::Client> {
    let (host, port) = address
        .rsplit_once(':')
        .and_then(|(host, port)| Some((host.to_owned(), port.parse().ok()?)))
        .ok_or_else(|| {
            redis::RedisError::from((ErrorKind::InvalidClientConfig, "a sentinel is host:port"))
        })?;
    let mut settings = RedisConnectionInfo::default();
    if let Some(password) = &sentinels.sentinel_password {
        settings = settings.set_password(password.expose_secret());
    }
    let info = ConnectionAddr::Tcp(host, port)
        .into_connection_info()?
        .set_redis_settings(settings);
    redis::Client::open(info)
}

/// One connection per worker thread to the server in use, replaced when the master
/// changes.
pub struct WorkerConnections {
    server: Arc<RedisServer>,
    connections: ThreadLocal<RefCell<Option<(u64, ConnectionManager)>>>,
}

impl WorkerConnections {
    pub fn new(server: Arc<RedisServer>) -> Self {
        Self {
            server,
            connections: ThreadLocal::new(),
        }
    }

    /// This worker's connection to the current server. A lost one is replaced in the
    /// background after the command that found it lost fails.
    pub fn get(&self) -> RedisResult<ConnectionManager> {
        let slot = self.connections.get_or(|| RefCell::new(None));
        let mut slot = slot.borrow_mut();
        // Every command asks: the generation alone, not a copy of the client.
        if let Some((held, connection)) = &*slot
            && *held == self.server.generation()
        {
            return Ok(connection.clone());
        }
        let (generation, client) = self.server.current()?;
        let config = ConnectionManagerConfig::new()
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let connection = ConnectionManager::new_lazy_with_config(client, config)?;
        *slot = Some((generation, connection.clone()));
        Ok(connection)
    }

    pub fn server(&self) -> &Arc<RedisServer> {
        &self.server
    }
}
