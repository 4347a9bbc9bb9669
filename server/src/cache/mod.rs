//! The session cache: validated sessions keyed by `session:{token hash}`, in two tiers.
//!
//! - **Local**: each instance's own memory ([`memory`]), trusted for `L1_TTL` in front of a
//!   shared backend, or for `CACHE_TTL` when it is the whole cache (`SESSION_CACHE=memory`).
//! - **Shared**: Redis or the PostgreSQL cache ([`SharedBackend`]), behind the breaker and
//!   fence replay of [`guarded`], so that a failing backend is skipped for a while and
//!   invalidations it missed are delivered before it is trusted again. Each backend bounds
//!   its own operations, so a dead cache costs a short wait once, then nothing.
//!
//! Fences (revocations, user changes) are written to both tiers here and published on the
//! [`invalidation`] channel to every other instance's local tier. The local tier is trusted
//! only while that channel is live. The database stays the system of record.

mod codec;
mod guarded;
pub mod invalidation;
pub mod memory;
pub mod postgres;
pub mod redis;

pub use guarded::PROBE_EVERY;

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use futures_util::{StreamExt as _, stream::BoxStream};
use hallpass_core::{
    TokenHash,
    cached::{CachedSession, HeldSession},
    ports::{SessionCache, Tier},
};

pub use self::codec::EntrySeal;
use self::{
    guarded::Guarded,
    invalidation::{BEAT_EVERY, BEAT_TIMEOUT, Invalidations, Message},
    memory::MemoryCache,
};

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("redis: {0}")]
    Redis(#[from] ::redis::RedisError),
    #[error("postgres cache: {0}")]
    Postgres(String),
    #[error("cache did not answer in time")]
    Timeout,
}

/// What a cache key holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Slot {
    /// A session the database vouched for, as a tagged entry (see [`EntrySeal`]); the
    /// backend stores it as it is.
    Entry(String),
    /// A fence: the session was revoked or changed, and only the database may answer for
    /// it until the fence expires. No fill can replace a fence, so a request that read
    /// the row before a revocation committed cannot cache it afterwards.
    Fenced,
}

/// A shared cache backend (Redis, PostgreSQL). Keys arrive complete (prefix included). Every write is conditional
/// in the way its name says, atomically in the backend, so that a revocation wins every
/// race with a concurrent fill or refresh. Every operation must give up quickly when the
/// backend does not answer: Redis through its client's response timeout (500 ms) and a
/// 250 ms pool checkout, PostgreSQL through the pool timeout and the statement timeout;
/// memory never waits.
#[async_trait::async_trait]
pub trait SharedBackend: Send + Sync {
    /// Name for logs: `Redis`, `PostgreSQL`, `in-memory`.
    fn name(&self) -> &'static str;
    async fn get(&self, key: &str) -> Result<Option<Slot>, CacheError>;
    /// Stores `entry` for `ttl` only if the key holds nothing (no session, no fence).
    async fn fill(&self, key: &str, entry: &str, ttl: Duration) -> Result<(), CacheError>;
    /// Replaces the session the key holds with `entry`; does nothing to a fence or an
    /// empty key.
    async fn refresh(&self, key: &str, entry: &str, ttl: Duration) -> Result<(), CacheError>;
    /// Removes the session the key holds; never removes a fence.
    async fn forget(&self, key: &str) -> Result<(), CacheError>;
    /// Puts a fence on every key for `ttl`, whatever they held.
    async fn fence(&self, keys: &[String], ttl: Duration) -> Result<(), CacheError>;
    async fn ping(&self) -> Result<(), CacheError>;
    /// Which server answers, as a number that changes when another one takes over (a
    /// Redis failover); 0 for a backend that never moves.
    fn generation(&self) -> u64 {
        0
    }
}

/// The cache key of a token hash (lower-case hex), as operators look it up: `session:{hex}`.
pub fn key(prefix: &str, hash_hex: &str) -> String {
    [prefix, "session:", hash_hex].concat()
}

/// Entries an instance's local tier holds before it evicts.
const NEAR_CAPACITY: u64 = 100_000;
/// How long after losing the channel a new subscription is tried.
const RESUBSCRIBE_AFTER: Duration = Duration::from_millis(100);

/// The local tier: this instance's memory, trusted for `ttl`.
struct LocalTier {
    entries: MemoryCache,
    ttl: Duration,
    /// How long a fence stands: a second longer than any entry it must outlive.
    fence_ttl: Duration,
}

impl LocalTier {
    fn new(ttl: Duration) -> Self {
        Self {
            entries: MemoryCache::new(NEAR_CAPACITY),
            ttl,
            fence_ttl: ttl + Duration::from_secs(1),
        }
    }
}

/// Both tiers and the channel between instances. Every operation takes the token hash
/// (or the stored hash, `user_sessions.token_hash`) and never fails: a cache that cannot
/// answer is a miss.
pub struct Cache {
    prefix: String,
    local: Option<LocalTier>,
    /// Sessions fenced lately, here or on another instance, remembered for as long as a
    /// shared entry written before the fence could still be trusted: an entry planted
    /// back into the shared tier after its revocation is refused by every instance that
    /// heard of the revocation, whatever the shared tier says.
    fenced: moka::sync::Cache<TokenHash, ()>,
    shared: Option<Guarded>,
    channel: Invalidations,
    /// Woken when another instance changed a role's policy, or the channel came back
    /// after a loss (a change may have been missed).
    policies_changed: tokio::sync::Notify,
}

impl Cache {
    /// With a `shared` backend, the local tier holds entries for `l1_ttl` (none when it is
    /// zero); without one, the local tier is the whole cache and holds them for
    /// `cache_ttl`.
    pub fn new(
        prefix: String,
        seal: EntrySeal,
        shared: Option<Box<dyn SharedBackend>>,
        cache_ttl: Duration,
        l1_ttl: Duration,
        channel: Invalidations,
    ) -> Self {
        let local_ttl = if shared.is_some() {
            l1_ttl.min(cache_ttl)
        } else {
            cache_ttl
        };
        Self {
            prefix,
            local: (!local_ttl.is_zero()).then(|| LocalTier::new(local_ttl)),
            fenced: moka::sync::Cache::builder()
                .max_capacity(NEAR_CAPACITY)
                .time_to_live(cache_ttl + Duration::from_secs(1))
                .build(),
            shared: shared.map(|backend| Guarded::new(backend, seal, cache_ttl)),
            channel,
            policies_changed: tokio::sync::Notify::new(),
        }
    }

    /// Resolves once another instance changed a role's policy, or the channel came back
    /// after a loss, since the last time it resolved.
    pub async fn policies_changed(&self) {
        self.policies_changed.notified().await;
    }

    /// Name for logs: `Redis`, `PostgreSQL`, `in-memory`.
    pub fn backend_name(&self) -> &'static str {
        self.shared
            .as_ref()
            .map_or("in-memory", Guarded::backend_name)
    }

    /// How invalidations travel between instances, for logs.
    pub fn channel_name(&self) -> &'static str {
        self.channel.transport_name()
    }

    /// Whether the shared backend failed lately and validation is falling back to the
    /// database.
    pub fn is_degraded(&self) -> bool {
        self.shared.as_ref().is_some_and(Guarded::is_degraded)
    }

    /// How many shared entries were refused since start for a tag that did not match
    /// (see [`EntrySeal`]).
    pub fn forged_entries(&self) -> u64 {
        self.shared.as_ref().map_or(0, Guarded::forged_entries)
    }

    /// Whether revocations from other instances are being heard (the local tier is used).
    pub fn channel_is_live(&self) -> bool {
        self.channel.is_live()
    }

    /// The cached session for `hash`: from the local tier when the channel is live, else
    /// from the shared tier (and then kept locally); `None` on a miss, behind a fence, and
    /// whenever the tiers cannot answer.
    pub async fn get(&self, hash: &TokenHash) -> Option<(Arc<HeldSession>, Tier)> {
        if let Some(local) = self.local.as_ref().filter(|_| self.channel.is_live())
            && let Some(session) = local.entries.get(hash)
        {
            return Some((session, Tier::Local));
        }
        let shared = self.shared.as_ref()?;
        if self.fenced.contains_key(hash) {
            return None;
        }
        let read_at = Instant::now();
        let session = HeldSession::new(shared.get(&key(&self.prefix, &hash.hex())).await?);
        self.fill_local(hash, &session, Duration::MAX, read_at);
        Some((session, Tier::Shared))
    }

    /// Caches a session the database vouched for when it was read at `read_at`, for at
    /// most `ttl`, unless a tier holds anything for it (a fence from a revocation that
    /// committed meanwhile wins). A failure only costs a later database read.
    pub async fn fill(
        &self,
        hash: &TokenHash,
        value: &Arc<HeldSession>,
        ttl: Duration,
        read_at: Instant,
    ) {
        if ttl.is_zero() {
            return;
        }
        if let Some(shared) = &self.shared {
            shared
                .fill(&key(&self.prefix, &hash.hex()), value, ttl)
                .await;
        }
        self.fill_local(hash, value, ttl, read_at);
    }

    /// Keeps a session in the local tier, if the channel has been live since it was read: a
    /// revocation published after the read has then been heard (and fenced), or will be.
    fn fill_local(
        &self,
        hash: &TokenHash,
        value: &Arc<HeldSession>,
        ttl: Duration,
        read_at: Instant,
    ) {
        let Some(local) = &self.local else {
            return;
        };
        let ttl = ttl.min(local.ttl.saturating_sub(read_at.elapsed()));
        if !ttl.is_zero() && self.channel.live_throughout_since(read_at) {
            local.entries.fill(hash, value, ttl);
        }
    }

    /// Updates a cached session in place (its `last_seen_at`); never resurrects one.
    pub async fn refresh(&self, hash: &TokenHash, value: &Arc<HeldSession>, ttl: Duration) {
        if ttl.is_zero() {
            return;
        }
        if let Some(shared) = &self.shared {
            shared
                .refresh(&key(&self.prefix, &hash.hex()), value, ttl)
                .await;
        }
        if let Some(local) = &self.local {
            local.entries.refresh(hash, value, ttl.min(local.ttl));
        }
    }

    /// Drops a cached session so the next request reads the database; leaves fences.
    pub async fn forget(&self, hash: &TokenHash) {
        if let Some(local) = &self.local {
            local.entries.forget(hash);
        }
        if let Some(shared) = &self.shared {
            shared.forget(&key(&self.prefix, &hash.hex())).await;
        }
    }

    /// Fences these sessions (revoked, or their user changed) in both tiers and on every
    /// other instance: until the fences expire only the database answers for them, and no
    /// concurrent fill can cache them again. The shared fence is written before the
    /// others hear of it, so an instance that drops its local entry finds the fence behind
    /// it.
    pub async fn fence(&self, hashes: &[TokenHash]) {
        if hashes.is_empty() {
            return;
        }
        self.fence_local(hashes);
        let hex: Vec<String> = hashes.iter().map(TokenHash::hex).collect();
        if let Some(shared) = &self.shared {
            let keys = hex.iter().map(|hash| key(&self.prefix, hash)).collect();
            shared.fence(keys).await;
        }
        let hex: Vec<&str> = hex.iter().map(String::as_str).collect();
        self.channel.publish(&hex).await;
    }

    /// Fences the local tier's entries of these hashes, and remembers them fenced.
    fn fence_local(&self, hashes: &[TokenHash]) {
        for hash in hashes {
            self.fenced.insert(*hash, ());
        }
        if let Some(local) = &self.local {
            local.entries.fence(hashes, local.fence_ttl);
        }
    }

    /// Readiness: does the shared backend answer right now (breaker or not)?
    pub async fn ping(&self) -> Result<(), CacheError> {
        match &self.shared {
            Some(shared) => shared.ping().await,
            None => Ok(()),
        }
    }

    /// Probes a failing shared backend (closing its breaker once it answers) and
    /// delivers what it and the channel missed while they were down, as soon as they are
    /// back, even when this instance gets no request (the
    /// [`probe job`](crate::jobs::cache_probe) calls it every [`PROBE_EVERY`]).
    pub async fn probe(&self) {
        if let Some(shared) = &self.shared {
            shared.probe().await;
        }
        self.channel.publish_unpublished().await;
    }

    /// Publishes this instance's heartbeat every [`BEAT_EVERY`], for ever.
    pub async fn beat(&self) {
        let mut ticks = tokio::time::interval(BEAT_EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            // A beat that fails is a beat that does not come back: the listener notices.
            let _missed = self.channel.beat().await;
        }
    }

    /// Listens to the channel for ever: applies other instances' fences to the local tier,
    /// and resubscribes whenever the subscription ends or our own beats stop coming back.
    pub async fn listen(&self) {
        let mut reported = false;
        loop {
            match self.channel.subscribe().await {
                Ok(messages) => {
                    reported = false;
                    self.follow(messages).await;
                }
                Err(error) if !reported => {
                    reported = true;
                    tracing::warn!(
                        channel = self.channel_name(),
                        "cannot subscribe to the invalidation channel ({error}); \
                         every instance's own cache is bypassed until it is back"
                    );
                }
                Err(_) => {}
            }
            if self.channel.mark_lost() {
                tracing::warn!(
                    channel = self.channel_name(),
                    "invalidation channel lost: this instance's own cache is bypassed until it is back"
                );
            }
            tokio::time::sleep(RESUBSCRIBE_AFTER).await;
        }
    }

    /// Reads one subscription until it ends or goes quiet for [`BEAT_TIMEOUT`].
    async fn follow(&self, mut messages: BoxStream<'static, String>) {
        let mut deadline = tokio::time::Instant::now() + BEAT_TIMEOUT;
        loop {
            tokio::select! {
                message = messages.next() => match message {
                    Some(payload) => {
                        if self.receive(&payload).await {
                            deadline = tokio::time::Instant::now() + BEAT_TIMEOUT;
                        }
                    }
                    None => return,
                },
                () = tokio::time::sleep_until(deadline) => return,
            }
        }
    }

    /// Applies one message from the channel; `true` if it was our own heartbeat. The
    /// first beat heard after a loss flushes the local tier before it is trusted again:
    /// fences published meanwhile were missed. Another instance's fence is applied, then
    /// acknowledged.
    pub async fn receive(&self, payload: &str) -> bool {
        match Message::parse(payload) {
            Some(Message::Beat { from }) if self.channel.is_ours(from) => {
                if !self.channel.is_live() {
                    if let Some(local) = &self.local {
                        local.entries.clear();
                    }
                    self.channel.mark_live();
                    self.policies_changed.notify_one();
                    tracing::info!(channel = self.channel_name(), "invalidation channel live");
                }
                true
            }
            Some(Message::Beat { from }) => {
                self.channel.heard_peer(from);
                false
            }
            Some(Message::Fence { from, id, hashes }) if !self.channel.is_ours(from) => {
                let hashes: Vec<TokenHash> = hashes
                    .iter()
                    .filter_map(|hash| TokenHash::from_hex(hash))
                    .collect();
                self.fence_local(&hashes);
                if let Some(id) = id {
                    self.channel.acknowledge(from, id).await;
                }
                false
            }
            Some(Message::Ack { from, to, id }) if self.channel.is_ours(to) => {
                self.channel.acknowledged(from, id);
                false
            }
            Some(Message::Policies { from }) if !self.channel.is_ours(from) => {
                self.policies_changed.notify_one();
                false
            }
            _ => false,
        }
    }
}

impl SessionCache for Cache {
    async fn get(&self, hash: &TokenHash) -> Option<(Arc<HeldSession>, Tier)> {
        Cache::get(self, hash).await
    }

    async fn fill(
        &self,
        hash: &TokenHash,
        value: &Arc<HeldSession>,
        ttl: Duration,
        read_at: Instant,
    ) {
        Cache::fill(self, hash, value, ttl, read_at).await;
    }

    async fn refresh(&self, hash: &TokenHash, value: &Arc<HeldSession>, ttl: Duration) {
        Cache::refresh(self, hash, value, ttl).await;
    }

    async fn forget(&self, hash: &TokenHash) {
        Cache::forget(self, hash).await;
    }

    async fn fence(&self, hashes: &[TokenHash]) {
        Cache::fence(self, hashes).await;
    }

    async fn announce_policies(&self) {
        self.channel.announce_policies().await;
    }

    async fn ping(&self) -> bool {
        Cache::ping(self).await.is_ok()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::{invalidation::Transport, *};
    use crate::cache::codec::tests::sample;
    use hallpass_core::SessionToken;

    /// Records what is published; the test plays the channel back by hand.
    #[derive(Default)]
    struct Recorded(Mutex<Vec<String>>);

    #[async_trait::async_trait]
    impl Transport for std::sync::Arc<Recorded> {
        fn name(&self) -> &'static str {
            "recorded"
        }

        async fn publish(&self, payload: &str) -> Result<(), CacheError> {
            self.0.lock().unwrap().push(payload.to_owned());
            Ok(())
        }

        async fn subscribe(&self) -> Result<BoxStream<'static, String>, CacheError> {
            Ok(futures_util::stream::pending().boxed())
        }
    }

    const MINUTE: Duration = Duration::from_secs(60);

    /// `SESSION_CACHE=memory`: the local tier is the whole cache.
    fn memory_only() -> (Cache, std::sync::Arc<Recorded>) {
        let recorded = std::sync::Arc::new(Recorded::default());
        let channel = Invalidations::new(Box::new(recorded.clone()));
        (
            Cache::new(
                String::new(),
                EntrySeal::new(&[0; 32]),
                None,
                MINUTE,
                MINUTE,
                channel,
            ),
            recorded,
        )
    }

    /// Publishes our beat and plays it back, as the listener does when it comes round.
    async fn hear_own_beat(cache: &Cache, recorded: &Recorded) {
        cache.channel.beat().await.unwrap();
        let beat = recorded.0.lock().unwrap().pop().unwrap();
        assert!(cache.receive(&beat).await);
    }

    fn token_hash() -> TokenHash {
        SessionToken::generate().unwrap().hash()
    }

    #[tokio::test]
    async fn the_near_tier_is_trusted_only_while_the_channel_is_live_and_flushed_on_return() {
        let (cache, recorded) = memory_only();
        let value = HeldSession::new(sample());
        let hash = token_hash();
        cache.fill(&hash, &value, MINUTE, Instant::now()).await;
        assert_eq!(
            cache.get(&hash).await,
            None,
            "not kept before the channel is heard"
        );

        hear_own_beat(&cache, &recorded).await;
        cache.fill(&hash, &value, MINUTE, Instant::now()).await;
        assert_eq!(cache.get(&hash).await, Some((value.clone(), Tier::Local)));

        assert!(cache.channel.mark_lost());
        assert_eq!(cache.get(&hash).await, None, "bypassed while lost");
        hear_own_beat(&cache, &recorded).await;
        assert_eq!(cache.get(&hash).await, None, "flushed when heard again");
    }

    #[tokio::test]
    async fn a_session_read_before_a_fence_or_a_loss_is_never_kept() {
        let (cache, recorded) = memory_only();
        let value = HeldSession::new(sample());
        hear_own_beat(&cache, &recorded).await;
        let hash = token_hash();

        // Another instance revokes the session between our read and our fill.
        let read_at = Instant::now();
        cache
            .receive(&format!("fence someone-else {}", hash.hex()))
            .await;
        cache.fill(&hash, &value, MINUTE, read_at).await;
        assert_eq!(cache.get(&hash).await, None);

        // The channel drops (fences may have been missed) and returns after our read.
        let other = token_hash();
        let read_at = Instant::now();
        tokio::time::sleep(Duration::from_millis(2)).await;
        cache.channel.mark_lost();
        hear_own_beat(&cache, &recorded).await;
        cache.fill(&other, &value, MINUTE, read_at).await;
        assert_eq!(cache.get(&other).await, None);
        cache.fill(&other, &value, MINUTE, Instant::now()).await;
        assert_eq!(cache.get(&other).await, Some((value.clone(), Tier::Local)));
    }

    #[tokio::test]
    async fn fences_are_published_and_our_own_echo_is_ignored() {
        let (cache, recorded) = memory_only();
        let value = HeldSession::new(sample());
        hear_own_beat(&cache, &recorded).await;
        let (revoked, kept) = (token_hash(), token_hash());
        cache.fill(&kept, &value, MINUTE, Instant::now()).await;

        cache.fence(&[revoked]).await;
        let published = recorded.0.lock().unwrap().pop().unwrap();
        assert!(published.starts_with("fence "));
        assert!(published.ends_with(&format!(" {}", revoked.hex())));
        // Our own fence coming back changes nothing, and a beat of someone else's is not
        // ours.
        assert!(!cache.receive(&published).await);
        assert!(!cache.receive("beat someone-else").await);
        assert_eq!(cache.get(&kept).await, Some((value.clone(), Tier::Local)));
        cache.fill(&revoked, &value, MINUTE, Instant::now()).await;
        assert_eq!(cache.get(&revoked).await, None, "the fence stands");
    }

    /// The instance id in a fence we published.
    fn fencer_and_id(published: &str) -> (String, u64) {
        match Message::parse(published) {
            Some(Message::Fence {
                from, id: Some(id), ..
            }) => (from.to_owned(), id),
            other => panic!("not a fence with an id: {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_revocation_waits_for_every_live_instance_to_acknowledge_it() {
        let (cache, recorded) = memory_only();
        hear_own_beat(&cache, &recorded).await;
        let started = Instant::now();
        cache.fence(&[token_hash()]).await;
        assert!(
            started.elapsed() < Duration::from_millis(100),
            "nobody to wait for"
        );

        cache.receive("beat peer-b").await;
        cache.receive("beat peer-c").await;
        let acknowledge = async {
            tokio::time::sleep(Duration::from_millis(60)).await;
            let published = recorded.0.lock().unwrap().last().cloned().unwrap();
            let (ours, id) = fencer_and_id(&published);
            cache.receive(&format!("ack peer-b {ours} {id}")).await;
            cache
                .receive(&format!("ack peer-b someone-else {id}"))
                .await;
            tokio::time::sleep(Duration::from_millis(60)).await;
            cache.receive(&format!("ack peer-c {ours} {id}")).await;
        };
        let (revoked, started) = ([token_hash()], Instant::now());
        futures_util::join!(cache.fence(&revoked), acknowledge);
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_millis(120) && waited < invalidation::ACK_DEADLINE,
            "answered once both acknowledged: {waited:?}"
        );

        let started = Instant::now();
        cache.fence(&[token_hash()]).await;
        assert!(
            started.elapsed() >= invalidation::ACK_DEADLINE,
            "an instance that does not acknowledge is waited for, but only so long"
        );
    }

    #[tokio::test]
    async fn another_instances_fence_is_applied_then_acknowledged() {
        let (cache, recorded) = memory_only();
        hear_own_beat(&cache, &recorded).await;
        let (value, hash) = (HeldSession::new(sample()), token_hash());
        cache.fill(&hash, &value, MINUTE, Instant::now()).await;
        cache
            .receive(&format!("fence peer-b #41 {}", hash.hex()))
            .await;
        assert_eq!(cache.get(&hash).await, None);
        let acknowledgement = recorded.0.lock().unwrap().pop().unwrap();
        assert!(
            acknowledgement.starts_with("ack ") && acknowledgement.ends_with(" peer-b 41"),
            "{acknowledgement}"
        );
    }
}
