//! What the use cases count (Prometheus in the server). Label values are fixed words.

/// The outcome label of a validation that accepted the session; refusals are labelled
/// by their rejection (`invalid`, `expired`, `revoked`, `user_inactive`).
pub const VALID: &str = "valid";

/// Where a validation was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Refused before any lookup: no cookie, or not one of ours.
    Cookie,
    /// This instance's own memory (the local tier, or the whole cache with
    /// `SESSION_CACHE=memory`).
    Memory,
    /// The shared cache (Redis or PostgreSQL).
    Cache,
    Database,
}

impl Source {
    pub fn label(self) -> &'static str {
        match self {
            Self::Cookie => "cookie",
            Self::Memory => "memory",
            Self::Cache => "cache",
            Self::Database => "database",
        }
    }
}

impl From<super::Tier> for Source {
    fn from(tier: super::Tier) -> Self {
        match tier {
            super::Tier::Local => Self::Memory,
            super::Tier::Shared => Self::Cache,
        }
    }
}

/// How a login attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginOutcome {
    Succeeded,
    Failed,
    RateLimited,
}

pub trait Metrics: Send + Sync + 'static {
    /// `outcome` is [`VALID`] or the refusal's label.
    fn validation(&self, outcome: &'static str, source: Source);
    fn login(&self, outcome: LoginOutcome);
    /// A session ended before its time, by reason (`RevokedReason` as text).
    fn revoked(&self, reason: &'static str);
}
