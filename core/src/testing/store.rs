//! The session store in memory. A connection holds the whole store for its life (so a
//! use case must not hold two at once, as it must not with a pool of one); a transaction
//! keeps a copy to restore on rollback.

use std::{collections::HashMap, sync::Arc};

use chrono::{DateTime, Utc};
use hallpass_shared::{EventId, EventKind, RevokedReason, Role, SessionId, UserId, UserSort};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::{
    Error, Result,
    model::{
        AuditEvent, ChosenBy, EventCursor, EventFilter, Learning, NewSession, NewUser,
        RecordedEvent, Session, SortKey, User, UserChanges, UserCursor, UserFilter,
    },
    password,
    policies::{Holders, RolePolicy, StoredPolicy},
    ports::{Queries, Store},
    token::TokenHash,
};

#[derive(Clone, Default)]
pub struct State {
    pub users: Vec<User>,
    pub sessions: Vec<Session>,
    pub devices: HashMap<(UserId, String), Device>,
    pub events: Vec<RecordedEvent>,
    pub policies: HashMap<Role, StoredPolicy>,
}

/// A row of `known_devices`.
#[derive(Clone, Debug)]
pub struct Device {
    pub last_seen_at: DateTime<Utc>,
    pub learned_at: DateTime<Utc>,
    /// The session whose answer it waits for.
    pub pending_on: Option<SessionId>,
}

#[derive(Default)]
pub struct MemoryStore {
    state: Arc<Mutex<State>>,
    /// While set, every connection fails as a store that went away.
    down: std::sync::atomic::AtomicBool,
}

impl MemoryStore {
    /// What the store holds now.
    pub async fn snapshot(&self) -> State {
        self.state.lock().await.clone()
    }

    /// Adds an active account whose password is `password`.
    pub async fn add_user(&self, email: &str, role: Role, password: &str) -> User {
        let password_hash = password::hash(password.to_owned().into())
            .await
            .unwrap_or_default();
        let mut conn = self.connect().await.unwrap_or_else(|_| unreachable!());
        let new = NewUser {
            email: email.to_owned(),
            name: email.split('@').next().unwrap_or_default().to_owned(),
            role,
            password_hash,
        };
        conn.insert_user(&new)
            .await
            .unwrap_or_else(|_| unreachable!())
    }

    /// Changes a user as stored, behind the use cases' back (a test's set-up).
    pub async fn edit_user(&self, id: UserId, edit: impl FnOnce(&mut User)) {
        let mut state = self.state.lock().await;
        if let Some(user) = state.users.iter_mut().find(|u| u.id == id) {
            edit(user);
        }
    }

    /// The store stops (or starts again) answering.
    pub fn set_down(&self, down: bool) {
        self.down.store(down, std::sync::atomic::Ordering::Relaxed);
    }

    async fn open(&self, transaction: bool) -> Result<MemoryConn> {
        if self.down.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(Error::Unavailable(anyhow::anyhow!("the store is down")));
        }
        let state = Arc::clone(&self.state).lock_owned().await;
        let backup = transaction.then(|| state.clone());
        Ok(MemoryConn { state, backup })
    }
}

impl Store for MemoryStore {
    type Conn<'a> = MemoryConn;

    async fn connect(&self) -> Result<MemoryConn> {
        self.open(false).await
    }

    async fn begin(&self) -> Result<MemoryConn> {
        self.open(true).await
    }

    async fn ping(&self) -> bool {
        !self.down.load(std::sync::atomic::Ordering::Relaxed)
    }
}

pub struct MemoryConn {
    state: OwnedMutexGuard<State>,
    /// The state before the transaction began; `None` outside a transaction.
    backup: Option<State>,
}

impl MemoryConn {
    fn session_mut(&mut self, id: SessionId) -> Option<&mut Session> {
        self.state.sessions.iter_mut().find(|s| s.id == id)
    }

    fn user_mut(&mut self, id: UserId) -> Option<&mut User> {
        self.state.users.iter_mut().find(|u| u.id == id)
    }

    fn live(session: &Session, now: DateTime<Utc>) -> bool {
        session.is_active && session.expires_at > now
    }

    /// Whether `session` is one of `holders`'.
    fn held_by(&self, session: &Session, holders: Holders) -> bool {
        match holders {
            Holders::User(id) => session.user_id == id,
            Holders::Role(role) => self
                .state
                .users
                .iter()
                .any(|u| u.id == session.user_id && u.role == role),
        }
    }

    fn email_taken(&self, email: &str, by_other_than: Option<UserId>) -> bool {
        self.state
            .users
            .iter()
            .any(|u| u.email.eq_ignore_ascii_case(email) && Some(u.id) != by_other_than)
    }
}

fn revoke(session: &mut Session, reason: RevokedReason, now: DateTime<Utc>) -> Session {
    session.is_active = false;
    session.revoked_at = Some(now);
    session.revoked_reason = Some(reason);
    session.clone()
}

/// Would a live `session` end at once under `policy`?
fn ends_under(session: &Session, policy: &RolePolicy, now: DateTime<Utc>) -> bool {
    let too_old = session.created + policy.lifetime <= now;
    let idle = (policy.idle_cutoff(now)).is_some_and(|cutoff| session.last_seen_at < cutoff);
    too_old || idle
}

/// Newest first, as the store lists sessions.
fn newest_first(sessions: &mut [Session]) {
    sessions.sort_by_key(|s| std::cmp::Reverse((s.created, s.id)));
}

impl Queries for MemoryConn {
    async fn commit(mut self) -> Result<()> {
        self.backup = None;
        Ok(())
    }

    async fn rollback(mut self) {
        if let Some(backup) = self.backup.take() {
            *self.state = backup;
        }
    }

    async fn session_with_user(&mut self, hash: &TokenHash) -> Result<Option<(Session, User)>> {
        let Some(session) = self.state.sessions.iter().find(|s| s.token_hash == *hash) else {
            return Ok(None);
        };
        let user = self.state.users.iter().find(|u| u.id == session.user_id);
        Ok(user.map(|user| (session.clone(), user.clone())))
    }

    async fn session_by_hash(&mut self, hash: &TokenHash) -> Result<Option<Session>> {
        Ok(self
            .state
            .sessions
            .iter()
            .find(|s| s.token_hash == *hash)
            .cloned())
    }

    async fn live_sessions_of(
        &mut self,
        user_id: UserId,
        now: DateTime<Utc>,
        idle_cutoff: Option<DateTime<Utc>>,
    ) -> Result<Vec<Session>> {
        let mut sessions: Vec<Session> = self
            .state
            .sessions
            .iter()
            .filter(|s| s.user_id == user_id && Self::live(s, now))
            .filter(|s| idle_cutoff.is_none_or(|cutoff| s.last_seen_at > cutoff))
            .cloned()
            .collect();
        newest_first(&mut sessions);
        Ok(sessions)
    }

    async fn unanswered_new_devices(
        &mut self,
        user_id: UserId,
        except: SessionId,
        now: DateTime<Utc>,
    ) -> Result<Vec<Session>> {
        let live = self.live_sessions_of(user_id, now, None).await?;
        Ok(live
            .into_iter()
            .filter(|s| s.new_device && s.new_device_answered_at.is_none() && s.id != except)
            .collect())
    }

    async fn lock_active_session(
        &mut self,
        id: SessionId,
        owner: UserId,
    ) -> Result<Option<Session>> {
        Ok(self
            .state
            .sessions
            .iter()
            .find(|s| s.id == id && s.user_id == owner && s.is_active)
            .cloned())
    }

    async fn rename_session(
        &mut self,
        id: SessionId,
        owner: UserId,
        name: Option<&str>,
    ) -> Result<Option<Session>> {
        let session = self
            .session_mut(id)
            .filter(|s| s.user_id == owner && s.is_active);
        Ok(session.map(|s| {
            s.name = name.map(str::to_owned);
            s.clone()
        }))
    }

    async fn mark_reauthenticated(
        &mut self,
        id: SessionId,
        owner: UserId,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let session = self
            .session_mut(id)
            .filter(|session| session.user_id == owner && session.is_active);
        Ok(session
            .map(|session| session.authenticated_at = now)
            .is_some())
    }

    async fn renames_since(
        &mut self,
        id: SessionId,
        owner: UserId,
        since: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<DateTime<Utc>>> {
        let mut renames: Vec<DateTime<Utc>> = self
            .state
            .events
            .iter()
            .filter(|recorded| {
                let event = &recorded.event;
                event.kind == EventKind::SessionRenamed
                    && event.session_id == Some(id)
                    && event.user_id == Some(owner)
                    && recorded.at > since
            })
            .map(|recorded| recorded.at)
            .collect();
        renames.sort();
        renames.truncate(limit as usize);
        Ok(renames)
    }

    async fn answer_new_device(
        &mut self,
        id: SessionId,
        owner: UserId,
        now: DateTime<Utc>,
    ) -> Result<Option<Session>> {
        let session = self.session_mut(id).filter(|s| {
            s.user_id == owner && s.is_active && s.new_device && s.new_device_answered_at.is_none()
        });
        Ok(session.map(|s| {
            s.new_device_answered_at = Some(now);
            s.clone()
        }))
    }

    async fn count_live_sessions(&mut self, now: DateTime<Utc>) -> Result<i64> {
        Ok(self
            .state
            .sessions
            .iter()
            .filter(|s| Self::live(s, now))
            .count() as i64)
    }

    async fn live_session_counts(
        &mut self,
        ids: &[UserId],
        now: DateTime<Utc>,
    ) -> Result<Vec<(UserId, i64)>> {
        let mut counts: HashMap<UserId, i64> = HashMap::new();
        for session in self.state.sessions.iter().filter(|s| Self::live(s, now)) {
            if ids.contains(&session.user_id) {
                *counts.entry(session.user_id).or_default() += 1;
            }
        }
        Ok(counts.into_iter().collect())
    }

    async fn touch_sessions(
        &mut self,
        seen: &[(SessionId, DateTime<Utc>)],
        interval: chrono::Duration,
    ) -> Result<Vec<SessionId>> {
        let mut written = Vec::new();
        for (id, at) in seen {
            let due = |s: &&mut Session| {
                s.is_active && s.expires_at > *at && s.last_seen_at < *at - interval
            };
            if let Some(session) = self.session_mut(*id).filter(due) {
                session.last_seen_at = *at;
                written.push(*id);
            }
        }
        Ok(written)
    }

    async fn revoke_session(
        &mut self,
        id: SessionId,
        owner: Option<UserId>,
        reason: RevokedReason,
        now: DateTime<Utc>,
    ) -> Result<Option<Session>> {
        let session = self
            .session_mut(id)
            .filter(|s| s.is_active && owner.is_none_or(|owner| s.user_id == owner));
        Ok(session.map(|s| revoke(s, reason, now)))
    }

    async fn revoke_sessions_of(
        &mut self,
        user_id: UserId,
        keep: Option<SessionId>,
        reason: RevokedReason,
        now: DateTime<Utc>,
    ) -> Result<Vec<Session>> {
        Ok(self
            .state
            .sessions
            .iter_mut()
            .filter(|s| s.user_id == user_id && s.is_active && Some(s.id) != keep)
            .map(|s| revoke(s, reason, now))
            .collect())
    }

    async fn revoke_beyond_limit(
        &mut self,
        user_id: UserId,
        keep: u32,
        now: DateTime<Utc>,
    ) -> Result<Vec<Session>> {
        let mut active: Vec<Session> = self
            .state
            .sessions
            .iter()
            .filter(|s| s.user_id == user_id && s.is_active)
            .cloned()
            .collect();
        newest_first(&mut active);
        let surplus: Vec<SessionId> = active.iter().skip(keep as usize).map(|s| s.id).collect();
        Ok(self
            .state
            .sessions
            .iter_mut()
            .filter(|s| surplus.contains(&s.id))
            .map(|s| revoke(s, RevokedReason::SessionLimit, now))
            .collect())
    }

    async fn count_sessions_beyond(
        &mut self,
        holders: Holders,
        policy: &RolePolicy,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let ending = self.state.sessions.iter().filter(|s| {
            Self::live(s, now) && self.held_by(s, holders) && ends_under(s, policy, now)
        });
        Ok(ending.count() as u64)
    }

    async fn end_sessions_beyond(
        &mut self,
        holders: Holders,
        policy: &RolePolicy,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let ending = self.count_sessions_beyond(holders, policy, now).await?;
        let held: Vec<bool> = (self.state.sessions.iter())
            .map(|s| s.is_active && self.held_by(s, holders))
            .collect();
        for (session, held) in self.state.sessions.iter_mut().zip(held) {
            if !held {
                continue;
            }
            session.expires_at = session.expires_at.min(session.created + policy.lifetime);
            if Self::live(session, now) && ends_under(session, policy, now) {
                session.expires_at = now;
            }
        }
        Ok(ending)
    }

    async fn count_users_over_limit(
        &mut self,
        role: Role,
        max_sessions: u32,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let mut counts: HashMap<UserId, u32> = HashMap::new();
        for session in self.state.sessions.iter().filter(|s| Self::live(s, now)) {
            if self.held_by(session, Holders::Role(role)) {
                *counts.entry(session.user_id).or_default() += 1;
            }
        }
        Ok(counts
            .values()
            .filter(|count| **count > max_sessions)
            .count() as u64)
    }

    async fn insert_session_if_absent(&mut self, new: &NewSession) -> Result<Option<Session>> {
        if self
            .state
            .sessions
            .iter()
            .any(|s| s.token_hash == new.token_hash)
        {
            return Ok(None);
        }
        let session = Session {
            id: SessionId::random(),
            user_id: new.user_id,
            token_hash: new.token_hash,
            ip_address: new.ip_address.clone(),
            user_agent: new.user_agent.clone(),
            device: new.device,
            browser: new.browser.clone(),
            os: new.os.clone(),
            is_active: true,
            created: new.created,
            last_seen_at: new.last_seen_at,
            expires_at: new.expires_at,
            revoked_at: None,
            revoked_reason: None,
            location: new.location.clone(),
            name: None,
            new_device: new.new_device,
            new_device_answered_at: None,
            shared_device: new.shared_device,
            authenticated_at: new.created,
        };
        self.state.sessions.push(session.clone());
        Ok(Some(session))
    }

    async fn role_policies(&mut self) -> Result<Vec<StoredPolicy>> {
        Ok(self.state.policies.values().copied().collect())
    }

    async fn lock_role_policies(&mut self) -> Result<()> {
        // A connection holds the whole store already.
        Ok(())
    }

    async fn put_role_policy(
        &mut self,
        stored: &StoredPolicy,
        _by: UserId,
        _now: DateTime<Utc>,
    ) -> Result<()> {
        self.state.policies.insert(stored.role, *stored);
        Ok(())
    }

    async fn user(&mut self, id: UserId) -> Result<Option<User>> {
        Ok(self.state.users.iter().find(|u| u.id == id).cloned())
    }

    async fn user_by_email(&mut self, email: &str) -> Result<Option<User>> {
        Ok(self
            .state
            .users
            .iter()
            .find(|u| u.email.eq_ignore_ascii_case(email))
            .cloned())
    }

    async fn insert_user(&mut self, new: &NewUser) -> Result<User> {
        if self.email_taken(&new.email, None) {
            return Err(Error::Conflict("already exists".into()));
        }
        let now = Utc::now();
        let user = User {
            id: UserId::random(),
            email: new.email.clone(),
            name: new.name.clone(),
            role: new.role,
            password_hash: new.password_hash.clone(),
            is_active: true,
            sessions_valid_after: None,
            created_at: now,
            updated_at: now,
            last_sign_in_at: None,
            must_change_password: false,
        };
        self.state.users.push(user.clone());
        Ok(user)
    }

    async fn reset_user(
        &mut self,
        id: UserId,
        name: &str,
        role: Role,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<User> {
        let user = self.user_mut(id).ok_or(Error::NotFound)?;
        user.name = name.to_owned();
        user.role = role;
        user.password_hash = password_hash.to_owned();
        user.is_active = true;
        user.updated_at = now;
        Ok(user.clone())
    }

    async fn record_sign_in(&mut self, id: UserId, now: DateTime<Utc>) -> Result<()> {
        if let Some(user) = self.user_mut(id) {
            user.last_sign_in_at = Some(now);
        }
        Ok(())
    }

    async fn set_password(
        &mut self,
        id: UserId,
        password_hash: &str,
        chosen_by: ChosenBy,
        now: DateTime<Utc>,
    ) -> Result<Option<User>> {
        Ok(self.user_mut(id).map(|user| {
            user.password_hash = password_hash.to_owned();
            user.sessions_valid_after = Some(now);
            user.updated_at = now;
            if chosen_by == ChosenBy::User {
                user.must_change_password = false;
            }
            user.clone()
        }))
    }

    async fn set_sessions_valid_after(&mut self, id: UserId, at: DateTime<Utc>) -> Result<bool> {
        Ok(self
            .user_mut(id)
            .map(|user| {
                user.sessions_valid_after = Some(at);
                user.updated_at = at;
            })
            .is_some())
    }

    async fn lock_active_admins(&mut self) -> Result<usize> {
        Ok(self
            .state
            .users
            .iter()
            .filter(|u| u.role == Role::Admin && u.is_active)
            .count())
    }

    async fn lock_user(&mut self, id: UserId) -> Result<Option<User>> {
        self.user(id).await
    }

    async fn update_user(
        &mut self,
        id: UserId,
        changes: &UserChanges,
        now: DateTime<Utc>,
    ) -> Result<User> {
        if let Some(email) = &changes.email
            && self.email_taken(email, Some(id))
        {
            return Err(Error::Conflict("already exists".into()));
        }
        let user = self.user_mut(id).ok_or(Error::NotFound)?;
        if let Some(name) = &changes.name {
            user.name.clone_from(name);
        }
        if let Some(email) = &changes.email {
            user.email.clone_from(email);
        }
        if let Some(role) = changes.role {
            user.role = role;
        }
        if let Some(active) = changes.is_active {
            user.is_active = active;
            if !active {
                user.sessions_valid_after = Some(now);
            }
        }
        if let Some(must) = changes.must_change_password {
            user.must_change_password = must;
        }
        user.updated_at = now;
        Ok(user.clone())
    }

    async fn count_users_up_to(&mut self, filter: &UserFilter, cap: i64) -> Result<usize> {
        let matching = self
            .state
            .users
            .iter()
            .filter(|u| matches(u, filter))
            .count();
        Ok(matching.min(cap as usize + 1))
    }

    async fn list_users(
        &mut self,
        filter: &UserFilter,
        sort: UserSort,
        cursor: Option<&UserCursor>,
        limit: i64,
    ) -> Result<Vec<User>> {
        let mut users: Vec<User> = self
            .state
            .users
            .iter()
            .filter(|u| matches(u, filter))
            .cloned()
            .collect();
        users.sort_by_key(|u| order(u, sort));
        let after = cursor.map(|cursor| (rank(&cursor.after), cursor.id));
        Ok(users
            .into_iter()
            .filter(|u| after.as_ref().is_none_or(|after| order(u, sort) > *after))
            .take(limit as usize)
            .collect())
    }

    async fn any_device_known(
        &mut self,
        user_id: UserId,
        fingerprints: &[String],
        seen_since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        Ok(fingerprints.iter().any(|fingerprint| {
            self.state
                .devices
                .get(&(user_id, fingerprint.clone()))
                .is_some_and(|device| device.last_seen_at > seen_since && device.learned_at <= now)
        }))
    }

    async fn has_devices(&mut self, user_id: UserId) -> Result<bool> {
        Ok(self.state.devices.keys().any(|(user, _)| *user == user_id))
    }

    async fn remember_devices(
        &mut self,
        user_id: UserId,
        fingerprints: &[String],
        now: DateTime<Utc>,
        learning: Learning,
    ) -> Result<()> {
        let (learned_at, pending_on) = match learning {
            Learning::Now => (now, None),
            Learning::Pending { session, from } => (from, Some(session)),
        };
        for fingerprint in fingerprints {
            let device = self
                .state
                .devices
                .entry((user_id, fingerprint.clone()))
                .or_insert(Device {
                    last_seen_at: now,
                    learned_at,
                    pending_on,
                });
            device.last_seen_at = now;
            if learned_at < device.learned_at {
                device.learned_at = learned_at;
            }
            if pending_on.is_none() {
                device.pending_on = None;
            }
        }
        Ok(())
    }

    async fn learn_devices_of(&mut self, session: SessionId, now: DateTime<Utc>) -> Result<()> {
        for device in self.state.devices.values_mut() {
            if device.pending_on == Some(session) {
                device.learned_at = now;
                device.pending_on = None;
            }
        }
        Ok(())
    }

    async fn forget_devices_of(&mut self, session: SessionId) -> Result<()> {
        self.state
            .devices
            .retain(|_, device| device.pending_on != Some(session));
        Ok(())
    }

    async fn record(&mut self, events: &[AuditEvent]) -> Result<()> {
        for event in events {
            let recorded = RecordedEvent {
                id: EventId::random(),
                at: Utc::now(),
                event: event.clone(),
                user_email: None,
                actor_email: None,
                actor_name: None,
            };
            self.state.events.push(recorded);
        }
        Ok(())
    }

    async fn events(
        &mut self,
        filter: &EventFilter,
        cursor: Option<EventCursor>,
        limit: i64,
    ) -> Result<Vec<RecordedEvent>> {
        let mut events: Vec<RecordedEvent> = self
            .state
            .events
            .iter()
            .filter(|e| filter.user_id.is_none_or(|id| e.event.user_id == Some(id)))
            .filter(|e| {
                filter
                    .session_id
                    .is_none_or(|id| e.event.session_id == Some(id))
            })
            .filter(|e| filter.kind.is_none_or(|kind| e.event.kind == kind))
            .filter(|e| filter.from.is_none_or(|from| e.at >= from))
            .filter(|e| filter.to.is_none_or(|to| e.at < to))
            .filter(|e| cursor.is_none_or(|c| (e.at, e.id.0) < (c.at, c.id.0)))
            .cloned()
            .collect();
        events.sort_by_key(|e| std::cmp::Reverse((e.at, e.id.0)));
        events.truncate(limit as usize);
        Ok(events)
    }
}

fn matches(user: &User, filter: &UserFilter) -> bool {
    let search = filter.search.as_deref().map(str::to_lowercase);
    search.is_none_or(|q| {
        user.email.to_lowercase().contains(&q) || user.name.to_lowercase().contains(&q)
    }) && filter.role.is_none_or(|role| user.role == role)
        && filter.active.is_none_or(|active| user.is_active == active)
}

/// A sort key as a comparable value: text as it is, sign-ins most recent first with
/// "never" last.
fn rank(key: &SortKey) -> (String, i64) {
    match key {
        SortKey::Email(text) | SortKey::Name(text) => (text.clone(), 0),
        SortKey::LastSignIn(at) => (
            String::new(),
            at.map_or(i64::MAX, |at| -at.timestamp_micros()),
        ),
    }
}

fn order(user: &User, sort: UserSort) -> ((String, i64), UserId) {
    (rank(&SortKey::of(user, sort)), user.id)
}
