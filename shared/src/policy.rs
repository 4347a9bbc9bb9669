//! School policy per role: how long a session lives, how long it may sit unused, and how
//! many sessions one person may hold (`/api/admin/policies`).

use serde::{Deserialize, Serialize};

use crate::Role;

/// The three settings of a role's policy: the body of `PUT /api/admin/policies/{role}`,
/// and what `policy_changed` events record before and after. Every field must be given
/// (`idle_timeout_seconds: null` turns the idle timeout off).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicySettings {
    /// How long a session lives from its sign-in: 1 second to 400 days.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 34_560_000))]
    pub lifetime_seconds: u64,
    /// How long a session may go unused; `null`: no idle timeout. Shorter than the
    /// lifetime.
    #[serde(deserialize_with = "Option::deserialize")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, required))]
    pub idle_timeout_seconds: Option<u64>,
    /// Sessions one user may hold at once: a sign-in beyond it ends the oldest. 1 to 1,000.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1000))]
    pub max_sessions: u32,
}

/// A role's policy as it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RolePolicyView {
    pub role: Role,
    pub lifetime_seconds: u64,
    pub idle_timeout_seconds: Option<u64>,
    pub max_sessions: u32,
    /// No admin has set this role's policy: it is the configured defaults
    /// (`SESSION_TTL`, `SESSION_IDLE_TIMEOUT`, `MAX_SESSIONS_PER_USER`).
    pub is_default: bool,
}

impl RolePolicyView {
    pub fn settings(&self) -> PolicySettings {
        PolicySettings {
            lifetime_seconds: self.lifetime_seconds,
            idle_timeout_seconds: self.idle_timeout_seconds,
            max_sessions: self.max_sessions,
        }
    }
}

/// Answer of `GET /api/admin/policies`: one policy per role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyList {
    pub policies: Vec<RolePolicyView>,
}

/// Answer of `GET /api/admin/policies/{role}/effect`: what saving these settings would do
/// now, said before saving.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyEffect {
    /// Live sessions of the role that would end at once (older than the lifetime, or
    /// unused longer than the idle timeout).
    pub sessions_ending: u64,
    /// Users of the role holding more sessions than `max_sessions`: their oldest end at
    /// their next sign-in.
    pub users_over_limit: u64,
}

/// `GET /api/admin/policies/{role}/effect?lifetime_seconds=&idle_timeout_seconds=&max_sessions=`:
/// the settings to preview (`idle_timeout_seconds` left out: no idle timeout).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct PolicyEffectQuery {
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 34_560_000))]
    pub lifetime_seconds: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1))]
    pub idle_timeout_seconds: Option<u64>,
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 1000))]
    pub max_sessions: u32,
}

impl From<PolicySettings> for PolicyEffectQuery {
    fn from(settings: PolicySettings) -> Self {
        Self {
            lifetime_seconds: settings.lifetime_seconds,
            idle_timeout_seconds: settings.idle_timeout_seconds,
            max_sessions: settings.max_sessions,
        }
    }
}

impl From<PolicyEffectQuery> for PolicySettings {
    fn from(query: PolicyEffectQuery) -> Self {
        Self {
            lifetime_seconds: query.lifetime_seconds,
            idle_timeout_seconds: query.idle_timeout_seconds,
            max_sessions: query.max_sessions,
        }
    }
}
