//! Fixtures: users, sessions, a domain with a given policy, times.

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use hallpass_shared::{DeviceKind, LoginRequest, Role, SessionId, SessionView, UserId, UserView};

use super::{CountedMetrics, MemoryCache, MemoryStore, NoWhere, TestDomain};
use crate::{
    Client, Domain, SessionClaim, SessionPolicy,
    cached::CachedSession,
    model::{Session, User},
    policies::{RolePolicies, RolePolicy},
    ports::Backoff,
    sessions::{self, CurrentSession},
    throttle::{LoginThrottle, memory::MemoryAttempts},
    token::SessionToken,
};

/// A fixed instant plus `seconds`.
pub fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap_or_default()
}

/// An active student, with no password anyone knows.
pub fn user() -> User {
    User {
        id: UserId::random(),
        email: "ada@school.example".into(),
        name: "Ada".into(),
        role: Role::Student,
        password_hash: String::new(),
        is_active: true,
        sessions_valid_after: None,
        created_at: at(-100_000),
        updated_at: at(-100_000),
        last_sign_in_at: None,
        must_change_password: false,
    }
}

/// An active session of `user` created at `created`, valid for 30 days.
pub fn session_of(user: &User, created: DateTime<Utc>) -> Session {
    Session {
        id: SessionId::random(),
        user_id: user.id,
        token_hash: SessionToken::generate()
            .map(|token| token.hash())
            .unwrap_or_else(|_| unreachable!()),
        ip_address: "192.0.2.1".into(),
        user_agent: String::new(),
        device: DeviceKind::Computer,
        browser: "Firefox".into(),
        os: "Linux".into(),
        is_active: true,
        created,
        last_seen_at: created,
        expires_at: created + chrono::Duration::days(30),
        revoked_at: None,
        revoked_reason: None,
        location: None,
        name: None,
        new_device: false,
        new_device_answered_at: None,
        shared_device: false,
        authenticated_at: created,
    }
}

/// What the cache holds for a typical session.
pub fn sample_cached() -> CachedSession {
    let now = DateTime::from_timestamp_micros(1_790_000_000_123_456).unwrap_or_default();
    let user = user();
    CachedSession {
        user: UserView::from(&user),
        session: SessionView {
            is_current: true,
            ..session_of(&user, now).view(SessionId::random())
        },
    }
}

/// The default role policy: 30 days, no idle timeout, 100 sessions per user.
pub fn role_policy() -> RolePolicy {
    RolePolicy {
        lifetime: chrono::Duration::days(30),
        idle_timeout: None,
        max_sessions: 100,
    }
}

/// The default policy: every role on [`role_policy`], cached a minute, a password proved
/// within 10 minutes for sensitive acts.
pub fn policy() -> SessionPolicy {
    policy_with(role_policy())
}

/// The default policy with `defaults` for every role.
pub fn policy_with(defaults: RolePolicy) -> SessionPolicy {
    SessionPolicy {
        roles: RolePolicies::new(defaults),
        cache_ttl: Duration::from_secs(60),
        reauth_window: chrono::Duration::minutes(10),
        shared_device_idle: chrono::Duration::minutes(15),
    }
}

/// A domain over memory with `policy`; logins throttled after 5 failures.
pub fn domain_with(policy: SessionPolicy) -> Arc<TestDomain> {
    let backoff = Backoff {
        base: Duration::from_secs(1),
        cap: Duration::from_secs(900),
    };
    let throttle = LoginThrottle::new(
        MemoryAttempts::default(),
        String::new(),
        [7; 32],
        5,
        backoff,
    );
    Arc::new(Domain::new(
        MemoryStore::default(),
        Arc::new(MemoryCache::default()),
        policy,
        throttle,
        CountedMetrics::default(),
        Arc::new(NoWhere),
    ))
}

pub fn domain() -> Arc<TestDomain> {
    domain_with(policy())
}

/// A browser on a laptop at a school's address.
pub fn browser() -> Client {
    Client::new(
        Some("192.0.2.10".parse().unwrap_or_else(|_| unreachable!())),
        "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    )
}

/// A phone elsewhere.
pub fn phone() -> Client {
    Client::new(
        Some("198.51.100.7".parse().unwrap_or_else(|_| unreachable!())),
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 \
         (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
    )
}

pub const PASSWORD: &str = "correct horse battery";

/// Adds an account with [`PASSWORD`] to the store.
pub async fn account(domain: &TestDomain, email: &str, role: Role) -> User {
    domain.store.add_user(email, role, PASSWORD).await
}

/// Ada, a student, with [`PASSWORD`].
pub async fn ada(domain: &TestDomain) -> User {
    account(domain, "ada@school.example", Role::Student).await
}

/// Signs `user` in from `client` with the right password.
pub async fn sign_in(
    domain: &TestDomain,
    user: &User,
    client: &Client,
    now: DateTime<Utc>,
) -> Signed {
    let request = LoginRequest {
        email: user.email.clone(),
        password: PASSWORD.into(),
        token: false,
        shared_device: false,
    };
    let logged_in = sessions::login(domain, request, client, None, None, now)
        .await
        .unwrap_or_else(|error| panic!("sign-in failed: {error}"));
    Signed {
        current: logged_in.current,
        claim: logged_in.claim,
    }
}

/// Why a use case refused a session; panics on anything else.
pub fn refusal<T>(outcome: crate::Result<T>) -> crate::Rejection {
    match outcome {
        Err(crate::Error::Rejected(rejection)) => rejection,
        Err(other) => panic!("refused for another reason: {other}"),
        Ok(_) => panic!("accepted"),
    }
}

/// A signed-in browser: its session and its cookie's claim.
pub struct Signed {
    pub current: CurrentSession,
    pub claim: SessionClaim,
}
