//! The session rules as pure functions: given a record, its user, a cookie's claim and the
//! time, is the session valid, and if not, why. No I/O, so every boundary is unit-tested
//! here (exactly at expiry, exactly at the idle limit, a session created at the instant
//! of `sessions_valid_after`).

use std::time::Duration;

use chrono::{DateTime, Utc};
use hallpass_shared::{ErrorCode, RevokedReason};

#[cfg(test)]
use crate::policies::{Ended, StoredPolicy};
use crate::{
    Role, SessionClaim,
    model::{Session, User},
    policies::{RolePolicies, RolePolicy},
};

/// `last_seen_at` is written at most this often per session.
pub const TOUCH_INTERVAL: chrono::Duration = chrono::Duration::seconds(60);

/// Why a presented session was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// No cookie, not one of ours, or no record behind it.
    Invalid,
    Expired,
    /// Ended before its time; why, when the record says (a "sign out everywhere" that
    /// came after the cookie leaves no reason on a row).
    Revoked(Option<RevokedReason>),
    UserInactive,
}

impl Rejection {
    pub fn code(self) -> ErrorCode {
        match self {
            Self::Invalid => ErrorCode::SessionInvalid,
            Self::Expired => ErrorCode::SessionExpired,
            Self::Revoked(_) => ErrorCode::SessionRevoked,
            Self::UserInactive => ErrorCode::UserInactive,
        }
    }

    /// The metrics label of this outcome.
    pub fn label(self) -> &'static str {
        match self {
            Self::Invalid => "invalid",
            Self::Expired => "expired",
            Self::Revoked(_) => "revoked",
            Self::UserInactive => "user_inactive",
        }
    }
}

/// What a session's lifetime is judged by, from its record or its cached copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetime {
    pub created: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub shared_device: bool,
}

impl Lifetime {
    pub fn of(session: &Session) -> Self {
        Self {
            created: session.created,
            expires_at: session.expires_at,
            last_seen_at: session.last_seen_at,
            shared_device: session.shared_device,
        }
    }

    pub fn of_view(session: &hallpass_shared::SessionView) -> Self {
        Self {
            created: session.created,
            expires_at: session.expires_at,
            last_seen_at: session.last_seen_at,
            shared_device: session.shared_device,
        }
    }
}

/// The lifetimes and limits sessions live by (from `Settings`, and each role's policy).
#[derive(Debug, Clone)]
pub struct SessionPolicy {
    /// Each role's lifetime, idle timeout and session limit, as they stand now.
    pub roles: RolePolicies,
    /// How long a validated session may be answered from the cache.
    pub cache_ttl: Duration,
    /// How recently a session must have proved its owner's password for a sensitive act.
    pub reauth_window: chrono::Duration,
    /// The idle timeout of a session opened on a shared computer (or its role's, if that
    /// is shorter).
    pub shared_device_idle: chrono::Duration,
}

impl SessionPolicy {
    /// Is the recorded `session` of `user` valid at `now`?
    pub fn check_record(
        &self,
        session: &Session,
        user: &User,
        now: DateTime<Utc>,
    ) -> Result<(), Rejection> {
        if !user.is_active {
            return Err(Rejection::UserInactive);
        }
        if !session.is_active {
            return Err(Rejection::Revoked(session.revoked_reason));
        }
        if user
            .sessions_valid_after
            .is_some_and(|valid_after| session.created < valid_after)
        {
            return Err(Rejection::Revoked(None));
        }
        self.check_lifetime(user.role, &Lifetime::of(session), now)
    }

    /// Is a session of a `role` user still within its lifetime, as the role's policy
    /// stands now? A policy shortened since the session opened ends it earlier than its
    /// recorded expiry; a longer one never extends it, nor revives what a shorter one
    /// ended. (Revocation removes a cached
    /// entry; the cache holds only sessions the database vouched for.)
    pub fn check_lifetime(
        &self,
        role: Role,
        session: &Lifetime,
        now: DateTime<Utc>,
    ) -> Result<(), Rejection> {
        let (policy, ended) = self.roles.in_force(role);
        if ended.covers(session.created, session.last_seen_at) {
            return Err(Rejection::Expired);
        }
        let expires_at = session.expires_at.min(session.created + policy.lifetime);
        let idle = self.idle_timeout_of(&policy, session.shared_device);
        let idle_too_long =
            idle.is_some_and(|idle| session.last_seen_at < now - idle - TOUCH_INTERVAL);
        if expires_at <= now || idle_too_long {
            return Err(Rejection::Expired);
        }
        Ok(())
    }

    /// May a cookie with no record behind it get one (`ensure`)? Only while its user is
    /// active, its lifetime has not run out, and no "sign out everywhere" came after it.
    pub fn check_claim(
        &self,
        claim: &SessionClaim,
        user: &User,
        now: DateTime<Utc>,
    ) -> Result<(), Rejection> {
        if !user.is_active {
            return Err(Rejection::UserInactive);
        }
        if claim.lifetime.is_none() {
            return Err(Rejection::Invalid);
        }
        if self.expiry_of_claim(claim, user.role) <= now {
            return Err(Rejection::Expired);
        }
        if user
            .sessions_valid_after
            .is_some_and(|valid_after| claim.issued_at < valid_after)
        {
            return Err(Rejection::Revoked(None));
        }
        Ok(())
    }

    /// When the claim's session of a `role` user expires: after the lifetime recorded
    /// in the cookie, or the role's current lifetime if that is shorter. (A longer
    /// lifetime does not revive cookies minted under the old one.)
    pub fn expiry_of_claim(&self, claim: &SessionClaim, role: Role) -> DateTime<Utc> {
        let longest = self.roles.of(role).lifetime;
        let lifetime = claim
            .lifetime
            .map_or(longest, |lifetime| lifetime.min(longest));
        claim.issued_at + lifetime
    }

    /// Sessions of `role` users last seen before this are idle-expired.
    pub fn idle_cutoff(&self, role: Role, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.roles.of(role).idle_cutoff(now)
    }

    /// The idle timeout of a session, shorter on a shared computer.
    fn idle_timeout_of(
        &self,
        policy: &RolePolicy,
        shared_device: bool,
    ) -> Option<chrono::Duration> {
        match (policy.idle_timeout, shared_device) {
            (idle, false) => idle,
            (None, true) => Some(self.shared_device_idle),
            (Some(idle), true) => Some(idle.min(self.shared_device_idle)),
        }
    }

    /// How long a session expiring at `expires_at` may be cached from `now`: the cache
    /// TTL, never past the expiry (zero once expired).
    pub fn cache_ttl_until(&self, expires_at: DateTime<Utc>, now: DateTime<Utc>) -> Duration {
        let until_expiry = (expires_at - now).to_std().unwrap_or_default();
        self.cache_ttl.min(until_expiry)
    }

    /// Is `last_seen_at` old enough to be refreshed?
    pub fn needs_touch(&self, last_seen_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        now - last_seen_at >= TOUCH_INTERVAL
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration as Span;
    use hallpass_shared::RevokedReason;

    use super::*;
    use crate::testing::{at, session_of, user};

    fn policy(idle: Option<i64>) -> SessionPolicy {
        with_ttl(Span::days(30), idle)
    }

    fn with_ttl(ttl: Span, idle: Option<i64>) -> SessionPolicy {
        SessionPolicy {
            roles: RolePolicies::new(RolePolicy {
                lifetime: ttl,
                idle_timeout: idle.map(Span::minutes),
                max_sessions: 100,
            }),
            cache_ttl: Duration::from_secs(60),
            reauth_window: Span::minutes(10),
            shared_device_idle: Span::minutes(15),
        }
    }

    fn row(user: &User, created: DateTime<Utc>) -> Session {
        session_of(user, created)
    }

    fn claim(user: &User, issued_at: DateTime<Utc>) -> SessionClaim {
        SessionClaim::mint(user.id, issued_at, Span::days(30)).unwrap()
    }

    #[test]
    fn a_record_is_valid_until_the_instant_it_expires() {
        let (user, policy) = (user(), policy(None));
        let row = row(&user, at(0));
        let expiry = row.expires_at;
        assert_eq!(
            policy.check_record(&row, &user, expiry - Span::microseconds(1)),
            Ok(())
        );
        assert_eq!(
            policy.check_record(&row, &user, expiry),
            Err(Rejection::Expired)
        );
    }

    #[test]
    fn a_revoked_record_or_an_inactive_user_is_refused_whatever_the_time() {
        let policy = policy(None);
        let mut user = user();
        let mut row = row(&user, at(0));
        row.is_active = false;
        row.revoked_reason = Some(RevokedReason::Admin);
        assert_eq!(
            policy.check_record(&row, &user, at(1)),
            Err(Rejection::Revoked(Some(RevokedReason::Admin)))
        );
        row.is_active = true;
        user.is_active = false;
        // Inactive wins over everything: the user is told why.
        row.expires_at = at(0);
        assert_eq!(
            policy.check_record(&row, &user, at(1)),
            Err(Rejection::UserInactive)
        );
    }

    #[test]
    fn sessions_valid_after_kills_older_sessions_only() {
        let policy = policy(None);
        let mut user = user();
        user.sessions_valid_after = Some(at(10));
        let equal = row(&user, at(10));
        assert_eq!(policy.check_record(&equal, &user, at(11)), Ok(()));
        let older = row(&user, at(10) - Span::microseconds(1));
        assert_eq!(
            policy.check_record(&older, &user, at(11)),
            Err(Rejection::Revoked(None))
        );
    }

    #[test]
    fn idle_sessions_end_one_touch_interval_after_the_timeout() {
        let policy = policy(Some(30));
        let user = user();
        let row = row(&user, at(0));
        let limit = row.last_seen_at + Span::minutes(30) + TOUCH_INTERVAL;
        assert_eq!(policy.check_record(&row, &user, limit), Ok(()));
        assert_eq!(
            policy.check_record(&row, &user, limit + Span::microseconds(1)),
            Err(Rejection::Expired)
        );
        assert_eq!(
            policy.check_lifetime(user.role, &Lifetime::of(&row), limit),
            Ok(())
        );
        // Without an idle timeout only the absolute lifetime counts.
        assert_eq!(
            self::policy(None).check_record(&row, &user, at(29 * 86_400)),
            Ok(())
        );
    }

    #[test]
    fn a_claim_may_be_recorded_only_within_its_lifetime() {
        let policy = policy(None);
        let mut user = user();
        let claim = claim(&user, at(0));
        let expiry = at(0) + Span::days(30);
        assert_eq!(
            policy.check_claim(&claim, &user, expiry - Span::seconds(1)),
            Ok(())
        );
        assert_eq!(
            policy.check_claim(&claim, &user, expiry),
            Err(Rejection::Expired)
        );
        user.sessions_valid_after = Some(at(0));
        assert_eq!(policy.check_claim(&claim, &user, at(1)), Ok(()));
        user.sessions_valid_after = Some(at(1));
        assert_eq!(
            policy.check_claim(&claim, &user, at(2)),
            Err(Rejection::Revoked(None))
        );
        user.is_active = false;
        assert_eq!(
            policy.check_claim(&claim, &user, at(2)),
            Err(Rejection::UserInactive)
        );
    }

    #[test]
    fn a_claim_lives_by_the_lifetime_recorded_when_it_was_minted() {
        let user = user();
        let minted_for_a_day = SessionClaim::mint(user.id, at(0), Span::days(1)).unwrap();
        // The operator has since raised SESSION_TTL to 30 days: the cookie keeps its day.
        let raised = policy(None);
        let after_a_day = at(0) + Span::days(1);
        assert_eq!(
            raised.expiry_of_claim(&minted_for_a_day, user.role),
            after_a_day
        );
        assert_eq!(
            raised.check_claim(&minted_for_a_day, &user, after_a_day),
            Err(Rejection::Expired)
        );
        // Lowering it shortens every cookie, recorded or not.
        let lowered = with_ttl(Span::hours(1), None);
        assert_eq!(
            lowered.expiry_of_claim(&minted_for_a_day, user.role),
            at(0) + Span::hours(1)
        );
        // A cookie without a recorded lifetime never gets a record made for it.
        let unrecorded = SessionClaim {
            lifetime: None,
            ..minted_for_a_day
        };
        assert_eq!(
            raised.check_claim(&unrecorded, &user, at(1)),
            Err(Rejection::Invalid)
        );
    }

    #[test]
    fn a_role_policy_judges_its_sessions_as_it_stands_now() {
        let (policy, user) = (policy(None), user());
        let row = row(&user, at(0));
        let pupils = |lifetime: Span, idle: Option<Span>| {
            let policy = RolePolicy {
                lifetime,
                idle_timeout: idle,
                max_sessions: 3,
            };
            let ended = Ended::default();
            vec![StoredPolicy {
                role: user.role,
                policy,
                ended,
            }]
        };
        // Shortened to 8 hours: a session older than that ends, told it expired.
        policy.roles.replace(pupils(Span::hours(8), None));
        let eight_hours = at(0) + Span::hours(8);
        let judged = |now| policy.check_record(&row, &user, now);
        assert_eq!(judged(eight_hours - Span::seconds(1)), Ok(()));
        assert_eq!(judged(eight_hours), Err(Rejection::Expired));
        // A longer lifetime never takes a session past its recorded expiry.
        policy.roles.replace(pupils(Span::days(90), None));
        assert_eq!(judged(row.expires_at), Err(Rejection::Expired));
        // The role's idle timeout applies, and a shared computer's if it is shorter.
        policy
            .roles
            .replace(pupils(Span::days(1), Some(Span::hours(1))));
        let idle_limit = row.last_seen_at + Span::hours(1) + TOUCH_INTERVAL;
        assert_eq!(judged(idle_limit), Ok(()));
        assert_eq!(
            judged(idle_limit + Span::seconds(1)),
            Err(Rejection::Expired)
        );
        let shared = Lifetime {
            shared_device: true,
            ..Lifetime::of(&row)
        };
        let shared_limit = row.last_seen_at + Span::minutes(15) + TOUCH_INTERVAL;
        assert_eq!(
            policy.check_lifetime(user.role, &shared, shared_limit + Span::seconds(1)),
            Err(Rejection::Expired)
        );
        // Another role is untouched.
        assert_eq!(
            policy.check_lifetime(
                Role::Teacher,
                &Lifetime::of(&row),
                idle_limit + Span::hours(1)
            ),
            Ok(())
        );
    }

    #[test]
    fn the_cache_never_outlives_the_session() {
        let policy = policy(None);
        assert_eq!(
            policy.cache_ttl_until(at(3600), at(0)),
            Duration::from_secs(60)
        );
        assert_eq!(
            policy.cache_ttl_until(at(30), at(0)),
            Duration::from_secs(30)
        );
        assert_eq!(policy.cache_ttl_until(at(0), at(5)), Duration::ZERO);
    }

    #[test]
    fn last_seen_is_refreshed_once_a_minute() {
        let policy = policy(None);
        assert!(!policy.needs_touch(at(0), at(59)));
        assert!(policy.needs_touch(at(0), at(60)));
    }

    #[test]
    fn rejections_have_their_codes_and_labels() {
        assert_eq!(Rejection::Revoked(None).code(), ErrorCode::SessionRevoked);
        assert_eq!(Rejection::UserInactive.label(), "user_inactive");
    }
}
