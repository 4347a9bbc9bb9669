//! Prometheus metrics: HTTP traffic by route and status, and the session events an
//! operator watches (validations by outcome and by where they were answered, `ensure`
//! outcomes, logins, forward-auth verifications, revocations by reason, active sessions).
//! Label values are bounded:
//! route patterns and fixed words, never raw paths, ids or emails. Each application
//! instance owns its registry, so several can live in one process (tests).

use prometheus::{
    Encoder as _, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};

pub use hallpass_core::ports::{LoginOutcome, Source, VALID};

/// How a forward-auth verification ended (`hallpass_verify_total{result}`).
#[derive(Debug, Clone, Copy)]
pub enum VerifyResult {
    /// A valid session of an admitted role: 200 and the identity headers.
    Allowed,
    /// A valid session of a role the app does not admit: 403.
    Forbidden,
    /// No valid session: 401 (or 403 while a new password is demanded).
    Refused,
    /// No valid session, and a browser sent to sign in: 302.
    Redirected,
}

impl VerifyResult {
    fn label(self) -> &'static str {
        match self {
            Self::Allowed => "allowed",
            Self::Forbidden => "forbidden",
            Self::Refused => "refused",
            Self::Redirected => "redirected",
        }
    }
}

pub struct Metrics {
    registry: Registry,
    http_requests: IntCounterVec,
    http_duration: HistogramVec,
    validations: IntCounterVec,
    /// The accepted validations' series answered from memory, the cache and the
    /// database, resolved once: one is counted on nearly every request.
    valid: [IntCounter; 3],
    ensures: IntCounterVec,
    logins: IntCounterVec,
    verifications: IntCounterVec,
    revocations: IntCounterVec,
    active_sessions: IntGauge,
    cache_up: IntGauge,
    invalidation_channel_up: IntGauge,
    cache_forged_entries: IntCounter,
}

impl Metrics {
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new_custom(Some("hallpass".into()), None)?;
        let http_requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by method, route pattern and status",
            ),
            &["method", "route", "status"],
        )?;
        let http_duration = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "HTTP request latency by method and route pattern",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            ]),
            &["method", "route"],
        )?;
        let validations = IntCounterVec::new(
            Opts::new(
                "session_validations_total",
                "Session validations by outcome and by where they were answered",
            ),
            &["outcome", "source"],
        )?;
        let ensures = IntCounterVec::new(
            Opts::new(
                "session_ensure_total",
                "POST /api/sessions/ensure answers: created or exists",
            ),
            &["result"],
        )?;
        let logins = IntCounterVec::new(
            Opts::new("logins_total", "Login attempts by result"),
            &["result"],
        )?;
        let verifications = IntCounterVec::new(
            Opts::new(
                "verify_total",
                "Forward-auth verifications (GET /api/auth/verify) by result",
            ),
            &["result"],
        )?;
        let revocations = IntCounterVec::new(
            Opts::new("session_revocations_total", "Revoked sessions by reason"),
            &["reason"],
        )?;
        let active_sessions = IntGauge::new(
            "active_sessions",
            "Sessions active and unexpired (recounted every METRICS_REFRESH)",
        )?;
        registry.register(Box::new(http_requests.clone()))?;
        registry.register(Box::new(http_duration.clone()))?;
        registry.register(Box::new(validations.clone()))?;
        registry.register(Box::new(ensures.clone()))?;
        registry.register(Box::new(logins.clone()))?;
        registry.register(Box::new(verifications.clone()))?;
        registry.register(Box::new(revocations.clone()))?;
        let cache_up = IntGauge::new(
            "cache_up",
            "1 while the session cache answers, 0 while validation falls back to the database",
        )?;
        registry.register(Box::new(active_sessions.clone()))?;
        registry.register(Box::new(cache_up.clone()))?;
        let invalidation_channel_up = IntGauge::new(
            "invalidation_channel_up",
            "1 while revocations from other instances are heard, 0 while this instance's \
             own cache is bypassed",
        )?;
        registry.register(Box::new(invalidation_channel_up.clone()))?;
        let cache_forged_entries = IntCounter::new(
            "cache_forged_entries_total",
            "Shared-cache entries ignored because their integrity tag did not match \
             (something other than Hallpass writes to the cache)",
        )?;
        registry.register(Box::new(cache_forged_entries.clone()))?;
        let valid = [Source::Memory, Source::Cache, Source::Database]
            .map(|source| validations.with_label_values(&[VALID, source.label()]));
        Ok(Self {
            registry,
            http_requests,
            http_duration,
            validations,
            valid,
            ensures,
            logins,
            verifications,
            revocations,
            active_sessions,
            cache_up,
            invalidation_channel_up,
            cache_forged_entries,
        })
    }

    pub fn request(&self, method: &str, route: &str, status: &str, seconds: f64) {
        self.http_requests
            .with_label_values(&[method, route, status])
            .inc();
        self.http_duration
            .with_label_values(&[method, route])
            .observe(seconds);
    }

    pub fn ensure(&self, created: bool) {
        self.ensures
            .with_label_values(&[if created { "created" } else { "exists" }])
            .inc();
    }

    pub fn verified(&self, result: VerifyResult) {
        self.verifications
            .with_label_values(&[result.label()])
            .inc();
    }

    /// The latest count of active sessions (see `jobs::gauges`).
    pub fn set_active_sessions(&self, count: i64) {
        self.active_sessions.set(count);
    }

    /// Whether the session cache answers (see `cache::Cache`).
    pub fn set_cache_up(&self, up: bool) {
        self.cache_up.set(i64::from(up));
    }

    /// The cache's count of forged entries since start (see `cache::Cache`).
    pub fn set_cache_forged_entries(&self, total: u64) {
        let counted = self.cache_forged_entries.get();
        self.cache_forged_entries
            .inc_by(total.saturating_sub(counted));
    }

    /// Whether the invalidation channel is live (see `cache::invalidation`).
    pub fn set_invalidation_channel_up(&self, up: bool) {
        self.invalidation_channel_up.set(i64::from(up));
    }

    /// The text exposition.
    pub fn render(&self) -> Result<String, prometheus::Error> {
        let mut text = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut text)?;
        String::from_utf8(text).map_err(|error| prometheus::Error::Msg(error.to_string()))
    }
}

impl hallpass_core::ports::Metrics for Metrics {
    /// `outcome` is [`VALID`] or the refusal's label.
    fn validation(&self, outcome: &'static str, source: Source) {
        let resolved = match source {
            _ if outcome != VALID => None,
            Source::Memory => Some(&self.valid[0]),
            Source::Cache => Some(&self.valid[1]),
            Source::Database => Some(&self.valid[2]),
            Source::Cookie => None,
        };
        match resolved {
            Some(counter) => counter.inc(),
            None => self
                .validations
                .with_label_values(&[outcome, source.label()])
                .inc(),
        }
    }

    fn login(&self, outcome: LoginOutcome) {
        let result = match outcome {
            LoginOutcome::Succeeded => "succeeded",
            LoginOutcome::Failed => "failed",
            LoginOutcome::RateLimited => "rate_limited",
        };
        self.logins.with_label_values(&[result]).inc();
    }

    fn revoked(&self, reason: &'static str) {
        self.revocations.with_label_values(&[reason]).inc();
    }
}
