//! School policy per role: a pupil on a lab tablet, a teacher on a laptop for a term and
//! an admin who can reset anyone's password need different sessions. Each role has a
//! lifetime, an idle timeout and a limit of sessions per person ([`RolePolicy`]); until
//! an admin sets one, a role lives by the configured defaults. [`RolePolicies`] holds
//! them as they stand on this instance, read by every validation; [`admin`] lists,
//! previews and changes them, and keeps every instance in step.

pub mod admin;
#[cfg(test)]
mod tests;

use std::{
    collections::HashMap,
    sync::{Arc, PoisonError, RwLock},
};

use chrono::{DateTime, Duration, Utc};
use hallpass_shared::{PolicySettings, Role, RolePolicyView, UserId};

use crate::{Error, Result, rules::TOUCH_INTERVAL};

/// The lifetime, idle timeout and session limit of one role's sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RolePolicy {
    /// Absolute lifetime from the sign-in.
    pub lifetime: Duration,
    /// Sessions unused this long end; `None`: no idle timeout.
    pub idle_timeout: Option<Duration>,
    /// Active sessions per user; a new one retires the oldest beyond it.
    pub max_sessions: u32,
}

/// The longest lifetime a policy may give: 400 days (a school year and then some).
pub const LONGEST_LIFETIME: Duration = Duration::days(400);
/// The most sessions a policy may let one person hold.
pub const MOST_SESSIONS: u32 = 1_000;

impl RolePolicy {
    /// The settings an admin sent, if they make a policy; otherwise 422 in words.
    pub fn from_settings(settings: &PolicySettings) -> Result<Self> {
        let invalid = |message: &str| Error::Invalid(message.to_owned());
        let longest = LONGEST_LIFETIME.num_seconds().unsigned_abs();
        if !(1..=longest).contains(&settings.lifetime_seconds) {
            return Err(invalid(
                "lifetime_seconds: must be from 1 second to 400 days (34560000 seconds)",
            ));
        }
        if let Some(idle) = settings.idle_timeout_seconds {
            if idle == 0 {
                return Err(invalid(
                    "idle_timeout_seconds: must be at least 1 second, or null for no idle timeout",
                ));
            }
            if idle >= settings.lifetime_seconds {
                return Err(invalid(
                    "idle_timeout_seconds: must be shorter than the lifetime, or null for no idle timeout",
                ));
            }
        }
        if !(1..=MOST_SESSIONS).contains(&settings.max_sessions) {
            return Err(invalid("max_sessions: must be from 1 to 1000"));
        }
        let seconds = |value: u64| Duration::seconds(value.min(longest) as i64);
        Ok(Self {
            lifetime: seconds(settings.lifetime_seconds),
            idle_timeout: settings.idle_timeout_seconds.map(seconds),
            max_sessions: settings.max_sessions,
        })
    }

    pub fn settings(&self) -> PolicySettings {
        let seconds = |span: Duration| span.num_seconds().unsigned_abs();
        PolicySettings {
            lifetime_seconds: seconds(self.lifetime),
            idle_timeout_seconds: self.idle_timeout.map(seconds),
            max_sessions: self.max_sessions,
        }
    }

    /// Sessions last seen before this are idle-expired. `last_seen_at` is only written
    /// once a minute, so the cut-off allows for that much staleness.
    pub fn idle_cutoff(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.idle_timeout.map(|idle| now - idle - TOUCH_INTERVAL)
    }
}

/// What a role's policy changes ended for good: every session of the role opened before
/// `opened_before`, and every one last seen before `seen_before` (their records expired
/// then). A cached copy of such a session is not believed, whatever the policy says now:
/// a longer policy later must not revive it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ended {
    pub opened_before: Option<DateTime<Utc>>,
    pub seen_before: Option<DateTime<Utc>>,
}

impl Ended {
    /// These marks, and what applying `policy` at `now` ends.
    pub fn and_by(self, policy: &RolePolicy, now: DateTime<Utc>) -> Self {
        Self {
            opened_before: self.opened_before.max(Some(now - policy.lifetime)),
            seen_before: self.seen_before.max(policy.idle_cutoff(now)),
        }
    }

    /// Whether a session opened at `created` and last seen at `last_seen_at` was ended.
    pub fn covers(&self, created: DateTime<Utc>, last_seen_at: DateTime<Utc>) -> bool {
        self.opened_before.is_some_and(|before| created < before)
            || self.seen_before.is_some_and(|before| last_seen_at < before)
    }
}

/// A role's policy as an admin set it, with what its changes ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredPolicy {
    pub role: Role,
    pub policy: RolePolicy,
    pub ended: Ended,
}

/// Whose sessions a policy is applied to at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holders {
    /// Everyone of a role (its policy changed).
    Role(Role),
    /// One user (moved to another role).
    User(UserId),
}

/// Each role's policy as this instance knows it: the configured defaults, and what
/// admins set (reloaded when any instance changes one). Cheap to clone: clones share it.
#[derive(Debug, Clone)]
pub struct RolePolicies {
    defaults: RolePolicy,
    set: Arc<RwLock<HashMap<Role, StoredPolicy>>>,
}

impl RolePolicies {
    /// Every role on the defaults, until the stored policies are loaded.
    pub fn new(defaults: RolePolicy) -> Self {
        Self {
            defaults,
            set: Arc::default(),
        }
    }

    /// The configured defaults, for a role no admin set.
    pub fn defaults(&self) -> RolePolicy {
        self.defaults
    }

    /// The view of `role`'s policy as it stands.
    pub fn view(&self, role: Role) -> RolePolicyView {
        view(role, &self.of(role), !self.is_set(role))
    }

    /// The policy `role` lives by now.
    pub fn of(&self, role: Role) -> RolePolicy {
        self.read()
            .get(&role)
            .map_or(self.defaults, |stored| stored.policy)
    }

    /// The policy `role` lives by now and what its changes ended for good, read at once
    /// (every validation asks).
    pub fn in_force(&self, role: Role) -> (RolePolicy, Ended) {
        self.read()
            .get(&role)
            .map_or((self.defaults, Ended::default()), |stored| {
                (stored.policy, stored.ended)
            })
    }

    /// Whether an admin has set `role`'s policy.
    pub fn is_set(&self, role: Role) -> bool {
        self.read().contains_key(&role)
    }

    /// Every role's policy, as the API shows them.
    pub fn views(&self) -> Vec<RolePolicyView> {
        Role::ALL.into_iter().map(|role| self.view(role)).collect()
    }

    /// Replaces what admins set with the stored policies (a role not among them is back
    /// on the defaults).
    pub fn replace(&self, stored: Vec<StoredPolicy>) {
        let by_role = stored.into_iter().map(|stored| (stored.role, stored));
        *self.set.write().unwrap_or_else(PoisonError::into_inner) = by_role.collect();
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<Role, StoredPolicy>> {
        self.set.read().unwrap_or_else(PoisonError::into_inner)
    }
}

fn view(role: Role, policy: &RolePolicy, is_default: bool) -> RolePolicyView {
    let settings = policy.settings();
    RolePolicyView {
        role,
        lifetime_seconds: settings.lifetime_seconds,
        idle_timeout_seconds: settings.idle_timeout_seconds,
        max_sessions: settings.max_sessions,
        is_default,
    }
}

#[cfg(test)]
mod rule_tests {
    use super::*;

    fn settings(lifetime: u64, idle: Option<u64>, max: u32) -> PolicySettings {
        PolicySettings {
            lifetime_seconds: lifetime,
            idle_timeout_seconds: idle,
            max_sessions: max,
        }
    }

    fn refusal(settings: &PolicySettings) -> String {
        match RolePolicy::from_settings(settings) {
            Err(Error::Invalid(message)) => message,
            other => panic!("expected a refusal in words, got {other:?}"),
        }
    }

    #[test]
    fn each_field_is_checked_at_its_bounds() {
        let day = 86_400;
        assert!(RolePolicy::from_settings(&settings(1, None, 1)).is_ok());
        assert!(RolePolicy::from_settings(&settings(400 * day, Some(400 * day - 1), 1000)).is_ok());
        assert!(refusal(&settings(0, None, 1)).starts_with("lifetime_seconds:"));
        assert!(refusal(&settings(400 * day + 1, None, 1)).starts_with("lifetime_seconds:"));
        assert!(refusal(&settings(60, Some(0), 1)).starts_with("idle_timeout_seconds:"));
        assert!(refusal(&settings(60, Some(60), 1)).contains("shorter than the lifetime"));
        assert!(refusal(&settings(60, None, 0)).starts_with("max_sessions:"));
        assert!(refusal(&settings(60, None, 1001)).starts_with("max_sessions:"));
    }

    #[test]
    fn settings_read_back_as_they_were_given() {
        let given = settings(8 * 3600, Some(900), 3);
        assert_eq!(RolePolicy::from_settings(&given).unwrap().settings(), given);
    }

    #[test]
    fn what_a_change_ends_stays_ended_through_later_changes() {
        let at = |hours: i64| DateTime::from_timestamp(1_800_000_000 + hours * 3600, 0).unwrap();
        let short = RolePolicy::from_settings(&settings(8 * 3600, Some(3600), 5)).unwrap();
        let long = RolePolicy::from_settings(&settings(90 * 86_400, None, 5)).unwrap();
        let ended = Ended::default().and_by(&short, at(100));
        assert_eq!(ended.opened_before, Some(at(92)));
        assert_eq!(ended.seen_before, Some(at(99) - TOUCH_INTERVAL));
        let later = ended.and_by(&long, at(101));
        assert_eq!(later, ended, "a longer policy moves no mark back");
        assert!(later.covers(at(91), at(100)));
        assert!(later.covers(at(95), at(98)));
        assert!(!later.covers(at(95), at(100)));
    }

    #[test]
    fn a_role_is_on_the_defaults_until_set_and_after_its_policy_is_gone() {
        let defaults = RolePolicy::from_settings(&settings(3600, None, 5)).unwrap();
        let pupils = RolePolicy::from_settings(&settings(600, Some(60), 2)).unwrap();
        let policies = RolePolicies::new(defaults);
        let shared = policies.clone();
        assert_eq!(policies.of(Role::Student), defaults);
        shared.replace(vec![StoredPolicy {
            role: Role::Student,
            policy: pupils,
            ended: Ended::default(),
        }]);
        assert_eq!(
            policies.of(Role::Student),
            pupils,
            "clones share the policies"
        );
        assert_eq!(policies.of(Role::Teacher), defaults);
        let views = policies.views();
        assert!(!views[0].is_default && views[1].is_default && views[2].is_default);
        shared.replace(Vec::new());
        assert_eq!(policies.of(Role::Student), defaults);
    }
}
