//! The session store: sessions, users, known devices and the audit trail, with
//! transactions. A use case asks [`Store::connect`] for one-off questions and
//! [`Store::begin`] for a change and its audit events, which commit together
//! ([`Queries::finish`]).

use chrono::{DateTime, Utc};
use hallpass_shared::{RevokedReason, Role, SessionId, UserId, UserSort};

use crate::{
    Result,
    model::{
        AuditEvent, ChosenBy, EventCursor, EventFilter, Learning, NewSession, NewUser,
        RecordedEvent, Session, User, UserChanges, UserCursor, UserFilter,
    },
    policies::{Holders, RolePolicy, StoredPolicy},
    token::TokenHash,
};

pub trait Store: Send + Sync + 'static {
    /// A connection, or a transaction once begun; the store's own lifetime bounds it.
    type Conn<'a>: Queries
    where
        Self: 'a;

    /// A connection whose every statement commits on its own. Fails with
    /// [`Error::Unavailable`](crate::Error::Unavailable) when the store cannot be reached.
    fn connect(&self) -> impl Future<Output = Result<Self::Conn<'_>>> + Send;

    /// A transaction: nothing it writes is seen by others until [`Queries::commit`].
    fn begin(&self) -> impl Future<Output = Result<Self::Conn<'_>>> + Send;

    /// Whether the store answers right now (readiness).
    fn ping(&self) -> impl Future<Output = bool> + Send;
}

/// The questions and changes of the use cases. Every method fails with the domain's
/// [`Error`](crate::Error): `Unavailable` when the store went away, `Conflict` for a
/// taken unique value, `Internal` otherwise.
pub trait Queries: Send + Sized {
    /// Commits a transaction (nothing to do on a plain connection).
    fn commit(self) -> impl Future<Output = Result<()>> + Send;

    /// Abandons a transaction; a failure only loses the connection.
    fn rollback(self) -> impl Future<Output = ()> + Send;

    /// Commits when the transaction's work succeeded, rolls back when it failed, and
    /// answers the work's outcome.
    fn finish<T: Send>(self, outcome: Result<T>) -> impl Future<Output = Result<T>> + Send {
        async move {
            match outcome {
                Ok(value) => self.commit().await.map(|()| value),
                Err(error) => {
                    self.rollback().await;
                    Err(error)
                }
            }
        }
    }

    // Sessions.

    /// The session recorded for this token, and its user (the validation query).
    fn session_with_user(
        &mut self,
        hash: &TokenHash,
    ) -> impl Future<Output = Result<Option<(Session, User)>>> + Send;

    fn session_by_hash(
        &mut self,
        hash: &TokenHash,
    ) -> impl Future<Output = Result<Option<Session>>> + Send;

    /// A user's sessions active and unexpired at `now`, newest first; with
    /// `idle_cutoff`, only those seen since.
    fn live_sessions_of(
        &mut self,
        user_id: UserId,
        now: DateTime<Utc>,
        idle_cutoff: Option<DateTime<Utc>>,
    ) -> impl Future<Output = Result<Vec<Session>>> + Send;

    /// A user's live sign-ins from new devices nobody answered about, newest first,
    /// `except` one session.
    fn unanswered_new_devices(
        &mut self,
        user_id: UserId,
        except: SessionId,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<Session>>> + Send;

    /// One of `owner`'s active sessions, locked until the transaction ends.
    fn lock_active_session(
        &mut self,
        id: SessionId,
        owner: UserId,
    ) -> impl Future<Output = Result<Option<Session>>> + Send;

    /// Names (or with `None` unnames) one of `owner`'s active sessions.
    fn rename_session(
        &mut self,
        id: SessionId,
        owner: UserId,
        name: Option<&str>,
    ) -> impl Future<Output = Result<Option<Session>>> + Send;

    /// Records that `owner` proved the password in their active session `id` at `now`;
    /// `false` when it is no such session.
    fn mark_reauthenticated(
        &mut self,
        id: SessionId,
        owner: UserId,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool>> + Send;

    /// When `owner` renamed session `id` since `since`, oldest first, at most `limit`.
    fn renames_since(
        &mut self,
        id: SessionId,
        owner: UserId,
        since: DateTime<Utc>,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<DateTime<Utc>>>> + Send;

    /// Marks `owner`'s active, unanswered new-device session `id` as answered.
    fn answer_new_device(
        &mut self,
        id: SessionId,
        owner: UserId,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<Session>>> + Send;

    /// Sessions active and unexpired at `now`, across all users.
    fn count_live_sessions(
        &mut self,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<i64>> + Send;

    /// How many live sessions each of `ids` has; users with none are left out.
    fn live_session_counts(
        &mut self,
        ids: &[UserId],
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<(UserId, i64)>>> + Send;

    /// Records when each session was seen, in one statement, unless its activity was
    /// recorded within `interval` of that; never touches a revoked or expired session.
    /// The sessions it wrote.
    fn touch_sessions(
        &mut self,
        seen: &[(SessionId, DateTime<Utc>)],
        interval: chrono::Duration,
    ) -> impl Future<Output = Result<Vec<SessionId>>> + Send;

    /// Revokes one active session (only `owner`'s, when given).
    fn revoke_session(
        &mut self,
        id: SessionId,
        owner: Option<UserId>,
        reason: RevokedReason,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<Session>>> + Send;

    /// Revokes every active session of `user_id` but `keep`.
    fn revoke_sessions_of(
        &mut self,
        user_id: UserId,
        keep: Option<SessionId>,
        reason: RevokedReason,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<Session>>> + Send;

    /// Revokes `user_id`'s oldest active sessions beyond the newest `keep`
    /// (`session_limit`).
    fn revoke_beyond_limit(
        &mut self,
        user_id: UserId,
        keep: u32,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<Session>>> + Send;

    /// How many live sessions of `holders` would end at once under `policy`: older than
    /// its lifetime, or unused longer than its idle timeout.
    fn count_sessions_beyond(
        &mut self,
        holders: Holders,
        policy: &RolePolicy,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<u64>> + Send;

    /// Brings the live sessions of `holders` within `policy`: none expires later than its
    /// lifetime allows, and those unused longer than its idle timeout expire `now` (so a
    /// longer policy later cannot bring them back). How many ended at once.
    fn end_sessions_beyond(
        &mut self,
        holders: Holders,
        policy: &RolePolicy,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<u64>> + Send;

    /// How many `role` users hold more than `max_sessions` live sessions.
    fn count_users_over_limit(
        &mut self,
        role: Role,
        max_sessions: u32,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<u64>> + Send;

    /// Records a session unless one with its token hash exists (active, revoked or
    /// expired): concurrent callers leave exactly one.
    fn insert_session_if_absent(
        &mut self,
        new: &NewSession,
    ) -> impl Future<Output = Result<Option<Session>>> + Send;

    // Role policies.

    /// The policies admins set (roles without one live by the defaults).
    fn role_policies(&mut self) -> impl Future<Output = Result<Vec<StoredPolicy>>> + Send;

    /// Locks the role policies against other changes until the transaction ends.
    fn lock_role_policies(&mut self) -> impl Future<Output = Result<()>> + Send;

    /// Records a role's policy, set `by` an admin.
    fn put_role_policy(
        &mut self,
        stored: &StoredPolicy,
        by: UserId,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<()>> + Send;

    // Users.

    fn user(&mut self, id: UserId) -> impl Future<Output = Result<Option<User>>> + Send;

    /// By email, case-insensitively.
    fn user_by_email(&mut self, email: &str) -> impl Future<Output = Result<Option<User>>> + Send;

    /// `Conflict` when the email is taken.
    fn insert_user(&mut self, new: &NewUser) -> impl Future<Output = Result<User>> + Send;

    /// Puts an existing account back into a known state (`hallpass demo`).
    fn reset_user(
        &mut self,
        id: UserId,
        name: &str,
        role: Role,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<User>> + Send;

    /// Records a sign-in's time.
    fn record_sign_in(
        &mut self,
        id: UserId,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Replaces the password hash and ends every session created before `now`; lifts a
    /// demanded password change when the user chose it.
    fn set_password(
        &mut self,
        id: UserId,
        password_hash: &str,
        chosen_by: ChosenBy,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<User>>> + Send;

    /// Ends every session of the user created before `at`; whether the user exists.
    fn set_sessions_valid_after(
        &mut self,
        id: UserId,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool>> + Send;

    /// Locks the active admins until the transaction ends and counts them.
    fn lock_active_admins(&mut self) -> impl Future<Output = Result<usize>> + Send;

    /// Locks one user until the transaction ends.
    fn lock_user(&mut self, id: UserId) -> impl Future<Output = Result<Option<User>>> + Send;

    /// Applies an admin's change; deactivation also ends every session created before
    /// `now`. `Conflict` when the new email is taken.
    fn update_user(
        &mut self,
        id: UserId,
        changes: &UserChanges,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<User>> + Send;

    /// How many users match, counting no further than `cap + 1`.
    fn count_users_up_to(
        &mut self,
        filter: &UserFilter,
        cap: i64,
    ) -> impl Future<Output = Result<usize>> + Send;

    /// Matching users in the order `sort`, `limit` of them after `cursor`.
    fn list_users(
        &mut self,
        filter: &UserFilter,
        sort: UserSort,
        cursor: Option<&UserCursor>,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<User>>> + Send;

    // Known devices.

    /// Whether any of `fingerprints` is a device `user_id` signed in with since
    /// `seen_since` and that counts as learned at `now`.
    fn any_device_known(
        &mut self,
        user_id: UserId,
        fingerprints: &[String],
        seen_since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool>> + Send;

    /// Whether `user_id` has any device on record, learned or not.
    fn has_devices(&mut self, user_id: UserId) -> impl Future<Output = Result<bool>> + Send;

    /// Records that `user_id` signed in with `fingerprints` at `now`, learned as
    /// `learning` says (a device learned already stays learned).
    fn remember_devices(
        &mut self,
        user_id: UserId,
        fingerprints: &[String],
        now: DateTime<Utc>,
        learning: Learning,
    ) -> impl Future<Output = Result<()>> + Send;

    /// The devices waiting on `session` are learned from `now` ("yes, that was me").
    fn learn_devices_of(
        &mut self,
        session: SessionId,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// The devices waiting on `session` are forgotten ("no, sign it out").
    fn forget_devices_of(&mut self, session: SessionId) -> impl Future<Output = Result<()>> + Send;

    // The audit trail.

    fn record(&mut self, events: &[AuditEvent]) -> impl Future<Output = Result<()>> + Send;

    /// Matching events, newest first, `limit` of them after `cursor`.
    fn events(
        &mut self,
        filter: &EventFilter,
        cursor: Option<EventCursor>,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<RecordedEvent>>> + Send;
}
