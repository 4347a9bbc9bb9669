//! The invalidation channel: how a revocation on one instance reaches the in-process
//! tiers of every other instance at once (the local tier in front of Redis or the
//! PostgreSQL cache, and the whole cache with `SESSION_CACHE=memory`).
//!
//! Every fence is published as the token hashes it covers, over Redis pub/sub when the
//! cache is Redis and over PostgreSQL `LISTEN/NOTIFY` otherwise. The channel proves itself
//! alive with heartbeats: each instance publishes its own every [`BEAT_EVERY`] and
//! trusts its in-process tiers only while its own beats keep coming back through the
//! channel, which proves both directions at once. A channel that goes quiet for
//! [`BEAT_TIMEOUT`] is *lost*: the in-process tiers are bypassed until it is heard again,
//! and then flushed before they are trusted, so a lost message can never keep a revoked
//! session alive past that timeout (nor past `L1_TTL` in front of a shared cache).

pub mod postgres;
pub mod redis;

use std::{
    sync::{
        Mutex, PoisonError,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use futures_util::stream::BoxStream;

use super::CacheError;

/// How often an instance publishes its heartbeat.
pub const BEAT_EVERY: Duration = Duration::from_millis(100);
/// How long a channel may stay silent (no beat of our own) before it counts as lost.
pub const BEAT_TIMEOUT: Duration = Duration::from_secs(1);
/// How long one publish or one subscription attempt may take.
pub const DEADLINE: Duration = Duration::from_millis(500);
/// Hashes per published message: PostgreSQL's `NOTIFY` payloads stay under 8000 bytes.
const HASHES_PER_MESSAGE: usize = 100;

/// How the messages travel: Redis pub/sub or PostgreSQL `LISTEN/NOTIFY`.
#[async_trait::async_trait]
pub trait Transport: Send + Sync {
    /// Name for logs: `Redis pub/sub`, `PostgreSQL LISTEN/NOTIFY`.
    fn name(&self) -> &'static str;
    async fn publish(&self, payload: &str) -> Result<(), CacheError>;
    /// A fresh subscription: every payload published from now on, until the stream ends
    /// (the connection was lost).
    async fn subscribe(&self) -> Result<BoxStream<'static, String>, CacheError>;
}

/// What travels on the channel.
#[derive(Debug, PartialEq, Eq)]
pub enum Message<'a> {
    /// `beat {instance}`: the instance is alive and hears the channel.
    Beat { from: &'a str },
    /// `fence {instance} {hash} {hash}…`: these sessions were revoked or changed.
    Fence { from: &'a str, hashes: Vec<&'a str> },
}

impl<'a> Message<'a> {
    /// Reads a payload; `None` for anything this release does not understand. Only
    /// well-formed hashes (64 lower-case hex digits) are kept.
    pub fn parse(payload: &'a str) -> Option<Self> {
        let mut words = payload.split(' ');
        let kind = words.next()?;
        let from = words.next().filter(|from| !from.is_empty())?;
        match kind {
            "beat" => Some(Self::Beat { from }),
            "fence" => Some(Self::Fence {
                from,
                hashes: words.filter(|hash| is_hash(hash)).collect(),
            }),
            _ => None,
        }
    }
}

fn is_hash(word: &str) -> bool {
    word.len() == 64 && word.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// This instance's end of the channel: its identity, whether the channel is live, and
/// the fences it could not publish yet.
pub struct Invalidations {
    transport: Box<dyn Transport>,
    /// Random, per process: tells our own beats and fences from everyone else's.
    instance: String,
    epoch: Instant,
    /// Nanoseconds since `epoch` at which the channel was last heard again (and the
    /// in-process tiers flushed); [`LOST`] while it is lost.
    live_since: AtomicU64,
    /// Hashes whose publication failed, published again by the replay job.
    unpublished: Mutex<Vec<String>>,
}

/// `live_since` while the channel is lost.
const LOST: u64 = u64::MAX;

impl Invalidations {
    /// Starts lost: nothing in-process is trusted until our first beat comes back.
    pub fn new(transport: Box<dyn Transport>) -> Self {
        Self {
            transport,
            instance: uuid::Uuid::new_v4().simple().to_string(),
            epoch: Instant::now(),
            live_since: AtomicU64::new(LOST),
            unpublished: Mutex::new(Vec::new()),
        }
    }

    pub fn transport_name(&self) -> &'static str {
        self.transport.name()
    }

    pub fn is_live(&self) -> bool {
        self.live_since.load(Ordering::Acquire) != LOST
    }

    /// Whether the channel has been live, without a gap, since `moment`: only then may
    /// what was read at `moment` be kept in-process (a revocation published since was
    /// heard, or will be).
    pub fn live_throughout_since(&self, moment: Instant) -> bool {
        let since = self.live_since.load(Ordering::Acquire);
        since != LOST && since <= self.nanos(moment)
    }

    pub fn is_ours(&self, from: &str) -> bool {
        from == self.instance
    }

    /// Marks the channel heard again. The caller has flushed the in-process tiers.
    pub fn mark_live(&self) {
        // Just after the flush: a read made at the same instant is not taken for one
        // made after it.
        let now = self.nanos(Instant::now()).saturating_add(1);
        self.live_since.store(now, Ordering::Release);
    }

    /// Marks the channel lost; `true` if it was live until now.
    pub fn mark_lost(&self) -> bool {
        self.live_since.swap(LOST, Ordering::AcqRel) != LOST
    }

    /// Publishes our heartbeat.
    pub async fn beat(&self) -> Result<(), CacheError> {
        self.send(&format!("beat {}", self.instance)).await
    }

    /// Publishes fences for `hashes`; what fails is kept and published again by
    /// [`Invalidations::publish_unpublished`].
    pub async fn publish(&self, hashes: &[&str]) {
        for chunk in hashes.chunks(HASHES_PER_MESSAGE) {
            if self.send(&self.fence_payload(chunk)).await.is_err() {
                self.lock_unpublished()
                    .extend(chunk.iter().map(|hash| (*hash).to_owned()));
            }
        }
    }

    /// Publishes again the fences that failed to go out.
    pub async fn publish_unpublished(&self) {
        let pending = std::mem::take(&mut *self.lock_unpublished());
        if pending.is_empty() {
            return;
        }
        let hashes: Vec<&str> = pending.iter().map(String::as_str).collect();
        self.publish(&hashes).await;
    }

    /// A subscription, or why there is none; bounded by [`DEADLINE`].
    pub async fn subscribe(&self) -> Result<BoxStream<'static, String>, CacheError> {
        tokio::time::timeout(DEADLINE, self.transport.subscribe())
            .await
            .map_err(|_| CacheError::Timeout)?
    }

    fn fence_payload(&self, hashes: &[&str]) -> String {
        let mut payload = format!("fence {}", self.instance);
        for hash in hashes {
            payload.push(' ');
            payload.push_str(hash);
        }
        payload
    }

    async fn send(&self, payload: &str) -> Result<(), CacheError> {
        tokio::time::timeout(DEADLINE, self.transport.publish(payload))
            .await
            .map_err(|_| CacheError::Timeout)?
    }

    fn lock_unpublished(&self) -> std::sync::MutexGuard<'_, Vec<String>> {
        self.unpublished
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn nanos(&self, moment: Instant) -> u64 {
        let elapsed = moment.saturating_duration_since(self.epoch).as_nanos();
        u64::try_from(elapsed).unwrap_or(LOST - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn messages_read_back_and_strangers_are_ignored() {
        assert_eq!(
            Message::parse("beat a1"),
            Some(Message::Beat { from: "a1" })
        );
        assert_eq!(
            Message::parse(&format!("fence a1 {HASH} nothex {}", HASH.to_uppercase())),
            Some(Message::Fence {
                from: "a1",
                hashes: vec![HASH]
            })
        );
        assert_eq!(Message::parse("beat"), None);
        assert_eq!(Message::parse("beat "), None);
        assert_eq!(Message::parse("flush a1"), None);
        assert_eq!(Message::parse(""), None);
    }
}
