//! The session rules as pure functions: given a record, its user, a cookie's claim and the
//! time, is the session valid, and if not, why. No I/O, so every boundary is unit-tested
//! here (exactly at expiry, exactly at the idle limit, a session created at the instant
//! of `sessions_valid_after`).

use std::time::Duration;

use chrono::{DateTime, Utc};
use hallpass_shared::{ErrorCode, RevokedReason};

use crate::{
    SessionClaim,
    model::{Session, User},
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

/// The lifetimes and limits sessions live by (from `Settings`).
#[derive(Debug, Clone)]
pub struct SessionPolicy {
    /// Absolute lifetime from creation.
    pub ttl: chrono::Duration,
    /// Sessions unused this long end; `None`: no idle timeout.
    pub idle_timeout: Option<chrono::Duration>,
    /// How long a validated session may be answered from the cache.
    pub cache_ttl: Duration,
    /// Active sessions per user; a new one retires the oldest beyond it.
    pub max_per_user: u32,
    /// How recently a session must have proved its owner's password for a sensitive act.
    pub reauth_window: chrono::Duration,
    /// The idle timeout of a session opened on a shared computer (or the general one, if
    /// that is shorter).
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
        self.check_lifetime(
            session.expires_at,
            session.last_seen_at,
            session.shared_device,
            now,
        )
    }

    /// Is a cached session still within its lifetime? (Revocation removes the entry; the
    /// cache holds only sessions the database vouched for.)
    pub fn check_lifetime(
        &self,
        expires_at: DateTime<Utc>,
        last_seen_at: DateTime<Utc>,
        shared_device: bool,
        now: DateTime<Utc>,
    ) -> Result<(), Rejection> {
        let idle = self.idle_timeout_of(shared_device);
        if expires_at <= now || idle.is_some_and(|idle| last_seen_at < now - idle - TOUCH_INTERVAL)
        {
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
        if self.expiry_of_claim(claim) <= now {
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

    /// When the claim's session expires: after the lifetime recorded in the cookie, or
    /// the current `SESSION_TTL` if that is shorter. (Raising the TTL does not revive
    /// cookies minted under the old one.)
    pub fn expiry_of_claim(&self, claim: &SessionClaim) -> DateTime<Utc> {
        let lifetime = claim
            .lifetime
            .map_or(self.ttl, |lifetime| lifetime.min(self.ttl));
        claim.issued_at + lifetime
    }

    /// Sessions last seen before this are idle-expired. `last_seen_at` is only written
    /// once a minute, so the cut-off allows for that much staleness.
    pub fn idle_cutoff(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.idle_timeout.map(|idle| now - idle - TOUCH_INTERVAL)
    }

    /// The idle timeout of a session, shorter on a shared computer.
    fn idle_timeout_of(&self, shared_device: bool) -> Option<chrono::Duration> {
        match (self.idle_timeout, shared_device) {
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
        SessionPolicy {
            ttl: Span::days(30),
            idle_timeout: idle.map(Span::minutes),
            cache_ttl: Duration::from_secs(60),
            max_per_user: 100,
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
            policy.check_lifetime(row.expires_at, row.last_seen_at, false, limit),
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
        assert_eq!(raised.expiry_of_claim(&minted_for_a_day), after_a_day);
        assert_eq!(
            raised.check_claim(&minted_for_a_day, &user, after_a_day),
            Err(Rejection::Expired)
        );
        // Lowering it shortens every cookie, recorded or not.
        let lowered = SessionPolicy {
            ttl: Span::hours(1),
            ..policy(None)
        };
        assert_eq!(
            lowered.expiry_of_claim(&minted_for_a_day),
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
