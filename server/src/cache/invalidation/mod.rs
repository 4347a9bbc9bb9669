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
//!
//! A revocation is answered only once it took effect everywhere: each fence carries an
//! id, every other instance acknowledges it once applied (`ack`), and the publisher waits
//! for the acknowledgements of every instance whose beat it heard lately, for at most
//! [`ACK_DEADLINE`]. An instance too slow to acknowledge in time stops trusting its own
//! copy within `L1_TTL` or [`BEAT_TIMEOUT`], as above.
//!
//! The channel also carries word that an admin changed a role's policy (`policies`):
//! every instance reloads them from the database.

pub mod postgres;
pub mod redis;

use std::{
    collections::{HashMap, HashSet},
    sync::{
        Mutex, PoisonError,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use futures_util::{future::join_all, stream::BoxStream};
use tokio::sync::oneshot;

use super::CacheError;

/// How often an instance publishes its heartbeat.
pub const BEAT_EVERY: Duration = Duration::from_millis(100);
/// How long a channel may stay silent (no beat of our own) before it counts as lost.
pub const BEAT_TIMEOUT: Duration = Duration::from_secs(1);
/// How long one publish or one subscription attempt may take.
pub const DEADLINE: Duration = Duration::from_millis(500);
/// How long a revocation waits for the other instances' acknowledgements.
pub const ACK_DEADLINE: Duration = Duration::from_millis(250);
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
    /// `fence {instance} #{id} {hash} {hash}…`: these sessions were revoked or changed;
    /// acknowledge `id`. (Earlier releases sent no id, and skip it as a word that is no
    /// hash.)
    Fence {
        from: &'a str,
        id: Option<u64>,
        hashes: Vec<&'a str>,
    },
    /// `ack {instance} {fencing instance} {id}`: the fence `id` was applied.
    Ack { from: &'a str, to: &'a str, id: u64 },
    /// `policies {instance}`: an admin changed a role's policy; reload them.
    Policies { from: &'a str },
}

impl<'a> Message<'a> {
    /// Reads a payload; `None` for anything this release does not understand. Only
    /// well-formed hashes (64 lower-case hex digits) are kept.
    pub fn parse(payload: &'a str) -> Option<Self> {
        let mut words = payload.split(' ').peekable();
        let kind = words.next()?;
        let from = words.next().filter(|from| !from.is_empty())?;
        match kind {
            "beat" => Some(Self::Beat { from }),
            "fence" => {
                let id = words
                    .next_if(|word| word.starts_with('#'))
                    .and_then(|word| word[1..].parse().ok());
                Some(Self::Fence {
                    from,
                    id,
                    hashes: words.filter(|hash| is_hash(hash)).collect(),
                })
            }
            "policies" => Some(Self::Policies { from }),
            "ack" => Some(Self::Ack {
                from,
                to: words.next()?,
                id: words.next()?.parse().ok()?,
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
    /// The other instances, and when their beat was last heard.
    peers: Mutex<HashMap<String, Instant>>,
    /// Our fences still waiting for acknowledgements, by id.
    unacknowledged: Mutex<HashMap<u64, Awaited>>,
    next_fence: AtomicU64,
}

/// A fence of ours and the instances that have yet to acknowledge it.
struct Awaited {
    waiting_on: HashSet<String>,
    done: oneshot::Sender<()>,
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
            peers: Mutex::new(HashMap::new()),
            unacknowledged: Mutex::new(HashMap::new()),
            next_fence: AtomicU64::new(0),
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

    /// Publishes fences for `hashes` and waits until every instance heard lately has
    /// acknowledged them, for at most [`ACK_DEADLINE`]; what fails to go out is kept and
    /// published again by [`Invalidations::publish_unpublished`].
    pub async fn publish(&self, hashes: &[&str]) {
        let deadline = tokio::time::Instant::now() + ACK_DEADLINE;
        let mut acknowledgements = Vec::new();
        for chunk in hashes.chunks(HASHES_PER_MESSAGE) {
            let (id, acknowledged) = self.await_acknowledgements();
            if self.send(&self.fence_payload(id, chunk)).await.is_err() {
                self.lock_unacknowledged().remove(&id);
                self.lock_unpublished()
                    .extend(chunk.iter().map(|hash| (*hash).to_owned()));
            } else if let Some(acknowledged) = acknowledged {
                acknowledgements.push(acknowledged);
            }
        }
        let all = join_all(acknowledgements);
        if tokio::time::timeout_at(deadline, all).await.is_err() {
            tracing::debug!("a revocation went unacknowledged by an instance for {ACK_DEADLINE:?}");
        }
    }

    /// A new fence id, and what resolves once the instances heard lately acknowledged it
    /// (`None` when there are none, or while we cannot hear their answers).
    fn await_acknowledgements(&self) -> (u64, Option<oneshot::Receiver<()>>) {
        let id = self.next_fence.fetch_add(1, Ordering::Relaxed);
        let waiting_on = self.live_peers();
        if waiting_on.is_empty() || !self.is_live() {
            return (id, None);
        }
        let (done, acknowledged) = oneshot::channel();
        self.lock_unacknowledged()
            .insert(id, Awaited { waiting_on, done });
        (id, Some(acknowledged))
    }

    /// Notes another instance's beat.
    pub fn heard_peer(&self, from: &str) {
        self.lock_peers().insert(from.to_owned(), Instant::now());
    }

    /// The other instances whose beat was heard within [`BEAT_TIMEOUT`]; forgets the
    /// others (stopped, restarted under a new id, or cut off).
    fn live_peers(&self) -> HashSet<String> {
        let mut peers = self.lock_peers();
        peers.retain(|_, heard| heard.elapsed() < BEAT_TIMEOUT);
        peers.keys().cloned().collect()
    }

    /// Tells the other instances that the role policies changed. One that misses it
    /// takes the change up at its next periodic reload.
    pub async fn announce_policies(&self) {
        if let Err(error) = self.send(&format!("policies {}", self.instance)).await {
            tracing::warn!("could not announce a policy change: {error}");
        }
    }

    /// Tells the instance `to` that its fence `id` was applied here.
    pub async fn acknowledge(&self, to: &str, id: u64) {
        let _unheard = self.send(&format!("ack {} {to} {id}", self.instance)).await;
    }

    /// Notes that `from` applied our fence `id`.
    pub fn acknowledged(&self, from: &str, id: u64) {
        let mut unacknowledged = self.lock_unacknowledged();
        let Some(awaited) = unacknowledged.get_mut(&id) else {
            return;
        };
        awaited.waiting_on.remove(from);
        if awaited.waiting_on.is_empty()
            && let Some(awaited) = unacknowledged.remove(&id)
        {
            let _ = awaited.done.send(());
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

    fn fence_payload(&self, id: u64, hashes: &[&str]) -> String {
        let mut payload = format!("fence {} #{id}", self.instance);
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

    fn lock_peers(&self) -> std::sync::MutexGuard<'_, HashMap<String, Instant>> {
        self.peers.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn lock_unacknowledged(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Awaited>> {
        self.unacknowledged
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
                id: None,
                hashes: vec![HASH]
            }),
            "an earlier release's fence"
        );
        assert_eq!(
            Message::parse(&format!("fence a1 #7 {HASH}")),
            Some(Message::Fence {
                from: "a1",
                id: Some(7),
                hashes: vec![HASH]
            })
        );
        assert_eq!(
            Message::parse("ack b2 a1 7"),
            Some(Message::Ack {
                from: "b2",
                to: "a1",
                id: 7
            })
        );
        assert_eq!(
            Message::parse("policies b2"),
            Some(Message::Policies { from: "b2" })
        );
        assert_eq!(Message::parse("ack b2 a1 x"), None);
        assert_eq!(Message::parse("beat"), None);
        assert_eq!(Message::parse("beat "), None);
        assert_eq!(Message::parse("flush a1"), None);
        assert_eq!(Message::parse(""), None);
    }
}
