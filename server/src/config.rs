//! Settings: every knob has an environment variable and a matching flag, defaults from
//! the specification live here and nowhere else, and secrets never reach a log line.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use ipnet::IpNet;
use secrecy::SecretString;

/// Where validated sessions are cached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CacheBackend {
    Redis,
    Postgres,
    Memory,
}

/// The header trusted proxies put the client's address in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ProxyHeader {
    /// `X-Forwarded-For: client, proxy1, …` (nginx's `$proxy_add_x_forwarded_for`, most
    /// load balancers).
    #[default]
    #[value(name = "x-forwarded-for")]
    XForwardedFor,
    /// RFC 7239 `Forwarded: for=client, for=proxy1`.
    Forwarded,
    /// `X-Real-IP: client` (one address, set by the proxy).
    #[value(name = "x-real-ip")]
    XRealIp,
}

impl ProxyHeader {
    pub fn name(self) -> &'static str {
        match self {
            Self::XForwardedFor => "x-forwarded-for",
            Self::Forwarded => "forwarded",
            Self::XRealIp => "x-real-ip",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// The command-line / environment surface. [`Settings::from_args`] validates and resolves it.
#[derive(Debug, clap::Args)]
pub struct SettingsArgs {
    /// PostgreSQL URL; the database is created when missing.
    #[arg(
        long,
        env = "DATABASE_URL",
        global = true,
        hide_env_values = true,
        default_value = "postgres://localhost/hallpass"
    )]
    pub database_url: String,
    /// Redis URL; when set, Redis is the default session cache.
    #[arg(long, env = "REDIS_URL", global = true, hide_env_values = true)]
    pub redis_url: Option<String>,
    /// Redis under Sentinel, instead of REDIS_URL: the sentinels, `host:port,host:port,…`;
    /// Hallpass asks them for the master and follows failovers.
    #[arg(long, env = "REDIS_SENTINELS", global = true, value_delimiter = ',')]
    pub redis_sentinels: Vec<String>,
    /// The name the sentinels monitor the master under.
    #[arg(long, env = "REDIS_SENTINEL_MASTER", global = true)]
    pub redis_sentinel_master: Option<String>,
    /// The master's password, with REDIS_SENTINELS (with REDIS_URL, it is in the URL).
    #[arg(long, env = "REDIS_PASSWORD", global = true, hide_env_values = true)]
    pub redis_password: Option<String>,
    /// The sentinels' own password, when they have one.
    #[arg(
        long,
        env = "REDIS_SENTINEL_PASSWORD",
        global = true,
        hide_env_values = true
    )]
    pub redis_sentinel_password: Option<String>,
    /// Session cache backend (default: redis when REDIS_URL or REDIS_SENTINELS is set,
    /// else memory).
    #[arg(long, env = "SESSION_CACHE", global = true, value_enum)]
    pub session_cache: Option<CacheBackend>,
    /// Address to listen on.
    #[arg(long, env = "BIND", global = true, default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "WORKERS", global = true)]
    pub workers: Option<usize>,
    /// Absolute session lifetime, e.g. `30d`, `12h`, `90m`, `3600s`.
    #[arg(long, env = "SESSION_TTL", global = true, default_value = "30d", value_parser = parse_duration)]
    pub session_ttl: Duration,
    /// Sessions unused for this long end (unset: no idle timeout).
    #[arg(long, env = "SESSION_IDLE_TIMEOUT", global = true, value_parser = parse_duration)]
    pub session_idle_timeout: Option<Duration>,
    /// Active sessions per user; a new login retires the oldest beyond it.
    #[arg(long, env = "MAX_SESSIONS_PER_USER", global = true, default_value_t = 100,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_sessions_per_user: u32,
    /// How recently a session must have proved its owner's password for a sensitive act
    /// (an admin changing an account, a password, a policy, or signing a user out).
    #[arg(long, env = "REAUTH_WINDOW", global = true, default_value = "10m", value_parser = parse_duration)]
    pub reauth_window: Duration,
    /// The idle timeout of sessions opened as on a shared computer (or
    /// SESSION_IDLE_TIMEOUT, if that is shorter).
    #[arg(long, env = "SHARED_DEVICE_IDLE", global = true, default_value = "15m", value_parser = parse_duration)]
    pub shared_device_idle: Duration,
    /// The origin browsers use, e.g. `https://hallpass.example.org` (default: same as Host).
    #[arg(long, env = "PUBLIC_ORIGIN", global = true)]
    pub public_origin: Option<String>,
    /// Origins of the platform's other apps (comma-separated, e.g.
    /// `https://lms.school.example`) that forward-auth may send a signed-out browser back
    /// to after sign-in, besides PUBLIC_ORIGIN.
    #[arg(
        long,
        env = "FORWARD_AUTH_ORIGINS",
        global = true,
        value_delimiter = ','
    )]
    pub forward_auth_origins: Vec<String>,
    /// Share the session cookie with this domain's subdomains (e.g. `school.example`): one
    /// sign-in across the school's sites. The cookie is then `__Secure-hallpass_session`
    /// when `Secure` (the `__Host-` prefix forbids a Domain).
    #[arg(long, env = "COOKIE_DOMAIN", global = true)]
    pub cookie_domain: Option<String>,
    /// Mark the cookie `Secure` (and name it `__Host-hallpass_session`), and send
    /// `Strict-Transport-Security`. Default: on when PUBLIC_ORIGIN is `https://`, off when
    /// it is `http://`; without PUBLIC_ORIGIN, on unless bound to loopback.
    #[arg(long, env = "COOKIE_SECURE", global = true, action = clap::ArgAction::Set)]
    pub cookie_secure: Option<bool>,
    /// Comma-separated CIDRs of reverse proxies whose TRUSTED_PROXY_HEADER is believed.
    #[arg(long, env = "TRUSTED_PROXIES", global = true, value_delimiter = ',')]
    pub trusted_proxies: Vec<IpNet>,
    /// The header those proxies set: x-forwarded-for, forwarded or x-real-ip; the others
    /// are ignored.
    #[arg(long, env = "TRUSTED_PROXY_HEADER", global = true, value_enum, default_value_t = ProxyHeader::XForwardedFor)]
    pub trusted_proxy_header: ProxyHeader,
    /// Cookie keys, comma-separated, each at least 32 bytes: the first seals new cookies,
    /// all open them (rotation). Required by `serve` unless `--dev`.
    #[arg(
        long,
        env = "SESSION_SECRET",
        global = true,
        hide_env_values = true,
        value_delimiter = ','
    )]
    pub session_secret: Vec<String>,
    /// A file holding the cookie keys instead, one per line (`#` comments allowed).
    #[arg(
        long,
        env = "SESSION_SECRET_FILE",
        global = true,
        conflicts_with = "session_secret"
    )]
    pub session_secret_file: Option<PathBuf>,
    /// The built SPA.
    #[arg(long, env = "STATIC_DIR", global = true, default_value = "dist")]
    pub static_dir: PathBuf,
    /// Database connections per instance.
    #[arg(long, env = "DB_POOL_SIZE", global = true, default_value_t = 16,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub db_pool_size: u32,
    /// How long a request waits for a database connection before answering 503.
    #[arg(long, env = "DB_POOL_TIMEOUT", global = true, default_value = "2s", value_parser = parse_duration)]
    pub db_pool_timeout: Duration,
    /// The longest a query may run (the server's `statement_timeout`); with
    /// DB_POOL_TIMEOUT, the longest a request waits on the database, whatever it does:
    /// past DB_POOL_TIMEOUT + DB_QUERY_TIMEOUT the answer is 503.
    #[arg(long, env = "DB_QUERY_TIMEOUT", global = true, default_value = "5s", value_parser = parse_duration)]
    pub db_query_timeout: Duration,
    /// How long a validated session stays in the cache before the database is asked again.
    #[arg(long, env = "CACHE_TTL", global = true, default_value = "60s", value_parser = parse_duration)]
    pub cache_ttl: Duration,
    /// How long each instance keeps a validated session in its own memory, in front of
    /// Redis or the PostgreSQL cache (`0` turns this local tier off). Revocations reach
    /// every instance through the invalidation channel at once; this bounds how long one
    /// can be missed while that channel is down.
    #[arg(long = "l1-ttl", env = "L1_TTL", global = true, default_value = "1s", value_parser = parse_duration)]
    pub l1_ttl: Duration,
    /// On SIGTERM or SIGINT the instance stops accepting connections at once and gives
    /// the requests under way this long to finish before it exits.
    #[arg(long, env = "SHUTDOWN_TIMEOUT", global = true, default_value = "30s", value_parser = parse_duration)]
    pub shutdown_timeout: Duration,
    /// Failed logins per account (or per known device) before each further attempt is
    /// delayed (1 s, doubling); an address gets twenty times as many.
    #[arg(long, env = "LOGIN_MAX_FAILURES", global = true, default_value_t = 5,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub login_max_failures: u32,
    /// The delay after the attempt that reaches LOGIN_MAX_FAILURES; it doubles with each
    /// further attempt (Keycloak's "wait increment").
    #[arg(long, env = "LOGIN_FIRST_DELAY", global = true, default_value = "1s", value_parser = parse_duration)]
    pub login_first_delay: Duration,
    /// The longest delay between attempts on a throttled account, device or address.
    #[arg(long, env = "LOGIN_LOCKOUT", global = true, default_value = "15m", value_parser = parse_duration)]
    pub login_lockout: Duration,
    /// How often the active-sessions gauge of `/metrics` is recounted (in the background:
    /// a scrape never queries the database); never sooner than 100 times the last count
    /// took.
    #[arg(long, env = "METRICS_REFRESH", global = true, default_value = "15s", value_parser = parse_duration)]
    pub metrics_refresh: Duration,
    /// Audit events older than this are deleted, in batches, by the hourly purge
    /// (`sessions purge` too).
    #[arg(long, env = "AUDIT_RETENTION", global = true, default_value = "400d", value_parser = parse_duration)]
    pub audit_retention: Duration,
    /// Serve `/metrics` on this address instead of the API's (e.g. `127.0.0.1:9090`), so
    /// it need not be public.
    #[arg(long, env = "METRICS_BIND", global = true)]
    pub metrics_bind: Option<SocketAddr>,
    /// A MaxMind-format database (`.mmdb`: GeoLite2, DB-IP Lite, ip-location-db) to
    /// record each new session's approximate location from; re-read on SIGHUP.
    #[arg(long, env = "GEOIP_DB", global = true)]
    pub geoip_db: Option<PathBuf>,
    /// `text` for people, `json` for log collectors.
    #[arg(long, env = "LOG_FORMAT", global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// The resolved configuration the application runs with. `Debug` redacts secrets.
#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: SecretString,
    pub redis_url: Option<SecretString>,
    /// Redis under Sentinel, instead of `redis_url`.
    pub redis_sentinel: Option<SentinelSettings>,
    pub cache_backend: CacheBackend,
    /// Prepended to every cache key; lets a test or a tenant own a private keyspace.
    pub cache_key_prefix: String,
    pub bind: SocketAddr,
    pub workers: Option<usize>,
    pub session_ttl: Duration,
    pub idle_timeout: Option<Duration>,
    pub max_sessions_per_user: u32,
    pub reauth_window: Duration,
    pub shared_device_idle: Duration,
    pub public_origin: Option<String>,
    /// Normalized like `public_origin`.
    pub forward_auth_origins: Vec<String>,
    /// Lower case, without a leading dot.
    pub cookie_domain: Option<String>,
    pub cookie_secure: bool,
    pub trusted_proxies: Vec<IpNet>,
    pub trusted_proxy_header: ProxyHeader,
    /// Cookie keys, newest first: the first seals, all open. Empty until configured
    /// (`serve --dev` fills it from a local file).
    pub session_secrets: Vec<SecretString>,
    pub static_dir: PathBuf,
    pub db_pool_size: u32,
    pub db_pool_timeout: Duration,
    pub db_query_timeout: Duration,
    pub cache_ttl: Duration,
    pub l1_ttl: Duration,
    pub shutdown_timeout: Duration,
    pub login_max_failures: u32,
    pub login_first_delay: Duration,
    pub login_lockout: Duration,
    pub metrics_refresh: Duration,
    pub audit_retention: Duration,
    pub metrics_bind: Option<SocketAddr>,
    pub geoip_db: Option<PathBuf>,
    pub log_format: LogFormat,
}

/// Where the sentinels are and what they call the master.
#[derive(Debug, Clone)]
pub struct SentinelSettings {
    /// `host:port` of each sentinel.
    pub sentinels: Vec<String>,
    pub master: String,
    pub password: Option<SecretString>,
    pub sentinel_password: Option<SecretString>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "SESSION_CACHE=redis needs REDIS_URL (e.g. redis://127.0.0.1:6379) or REDIS_SENTINELS \
         and REDIS_SENTINEL_MASTER"
    )]
    RedisWithoutUrl,
    #[error("give REDIS_URL or REDIS_SENTINELS, not both")]
    RedisTwice,
    #[error("REDIS_SENTINELS needs REDIS_SENTINEL_MASTER, the name the sentinels monitor")]
    SentinelsWithoutMaster,
    #[error(
        "every SESSION_SECRET key must be at least 32 bytes (e.g. the output of \
         `openssl rand -base64 48`)"
    )]
    ShortSecret,
    #[error("SESSION_SECRET_FILE {path}: {reason}")]
    SecretFile { path: String, reason: String },
    #[error(
        "PUBLIC_ORIGIN must be scheme://host[:port] with no path, e.g. https://hallpass.example.org"
    )]
    BadOrigin,
    #[error("SESSION_TTL must be at least one minute")]
    ShortTtl,
    #[error(
        "FORWARD_AUTH_ORIGINS must list scheme://host[:port] origins with no path, e.g. \
         https://lms.school.example"
    )]
    BadForwardAuthOrigin,
    #[error("COOKIE_DOMAIN must be a domain name, e.g. school.example")]
    BadCookieDomain,
}

pub const COOKIE_NAME: &str = "hallpass_session";
pub const SECURE_COOKIE_NAME: &str = "__Host-hallpass_session";
pub const DEVICE_COOKIE_NAME: &str = "hallpass_device";
pub const SECURE_DEVICE_COOKIE_NAME: &str = "__Host-hallpass_device";
pub const SHARED_SECURE_COOKIE_NAME: &str = "__Secure-hallpass_session";
pub const SHARED_SECURE_DEVICE_COOKIE_NAME: &str = "__Secure-hallpass_device";

impl Settings {
    /// Every setting at its default, whatever the environment says: what tests and tools
    /// start from (the defaults are the `default_value`s above, nowhere else). No cookie
    /// key is set.
    pub fn defaults() -> Self {
        use clap::{Args as _, FromArgMatches as _};
        let command = SettingsArgs::augment_args(clap::Command::new("hallpass"))
            .mut_args(|arg| arg.env(None));
        let parsed = command
            .try_get_matches_from(["hallpass"])
            .and_then(|matches| SettingsArgs::from_arg_matches(&matches));
        match parsed.map(Self::from_args) {
            Ok(Ok(settings)) => settings,
            // Only a default that breaks its own rule gets here: a bug of this file, which
            // the test below catches.
            Ok(Err(error)) => unreachable!("the default settings are invalid: {error}"),
            Err(error) => unreachable!("the default settings do not parse: {error}"),
        }
    }

    pub fn from_args(args: SettingsArgs) -> Result<Self, ConfigError> {
        let redis_sentinel = sentinel_settings(&args)?;
        let has_redis = args.redis_url.is_some() || redis_sentinel.is_some();
        let cache_backend = match (args.session_cache, has_redis) {
            (Some(CacheBackend::Redis), false) => return Err(ConfigError::RedisWithoutUrl),
            (Some(backend), _) => backend,
            (None, true) => CacheBackend::Redis,
            (None, false) => CacheBackend::Memory,
        };
        let session_secrets = session_secrets(args.session_secret, args.session_secret_file)?;
        if args.session_ttl < Duration::from_secs(60) {
            return Err(ConfigError::ShortTtl);
        }
        let public_origin = args
            .public_origin
            .map(|origin| normalize_origin(&origin).ok_or(ConfigError::BadOrigin))
            .transpose()?;
        let forward_auth_origins = args
            .forward_auth_origins
            .iter()
            .map(|origin| normalize_origin(origin).ok_or(ConfigError::BadForwardAuthOrigin))
            .collect::<Result<Vec<_>, _>>()?;
        let cookie_domain = args
            .cookie_domain
            .map(|domain| normalize_domain(&domain).ok_or(ConfigError::BadCookieDomain))
            .transpose()?;
        let cookie_secure = args
            .cookie_secure
            .unwrap_or_else(|| secure_by_default(&args.bind, public_origin.as_deref()));
        Ok(Self {
            database_url: args.database_url.into(),
            redis_url: args.redis_url.map(Into::into),
            redis_sentinel,
            cache_backend,
            cache_key_prefix: String::new(),
            bind: args.bind,
            workers: args.workers,
            session_ttl: args.session_ttl,
            idle_timeout: args.session_idle_timeout,
            reauth_window: args.reauth_window,
            shared_device_idle: args.shared_device_idle,
            max_sessions_per_user: args.max_sessions_per_user,
            public_origin,
            forward_auth_origins,
            cookie_domain,
            cookie_secure,
            trusted_proxies: args.trusted_proxies,
            trusted_proxy_header: args.trusted_proxy_header,
            session_secrets,
            static_dir: args.static_dir,
            db_pool_size: args.db_pool_size,
            db_pool_timeout: args.db_pool_timeout,
            db_query_timeout: args.db_query_timeout,
            cache_ttl: args.cache_ttl,
            l1_ttl: args.l1_ttl,
            shutdown_timeout: args.shutdown_timeout,
            login_max_failures: args.login_max_failures,
            login_first_delay: args.login_first_delay,
            login_lockout: args.login_lockout,
            metrics_refresh: args.metrics_refresh,
            audit_retention: args.audit_retention,
            metrics_bind: args.metrics_bind,
            geoip_db: args.geoip_db,
            log_format: args.log_format,
        })
    }

    /// The longest an API request waits on the database before it answers 503.
    pub fn request_deadline(&self) -> Duration {
        self.db_pool_timeout + self.db_query_timeout
    }

    /// `__Host-` prefixed when `Secure`, so browsers also enforce `Path=/` and no
    /// `Domain`; `__Secure-` prefixed when `Secure` and shared with `COOKIE_DOMAIN`.
    pub fn cookie_name(&self) -> &'static str {
        match (self.cookie_secure, &self.cookie_domain) {
            (false, _) => COOKIE_NAME,
            (true, None) => SECURE_COOKIE_NAME,
            (true, Some(_)) => SHARED_SECURE_COOKIE_NAME,
        }
    }

    /// The device cookie of the login throttle, named like the session cookie.
    pub fn device_cookie_name(&self) -> &'static str {
        match (self.cookie_secure, &self.cookie_domain) {
            (false, _) => DEVICE_COOKIE_NAME,
            (true, None) => SECURE_DEVICE_COOKIE_NAME,
            (true, Some(_)) => SHARED_SECURE_DEVICE_COOKIE_NAME,
        }
    }

    /// Whether a browser may be sent back to `origin` (normalized) after signing in:
    /// Hallpass's own, or one of the platform's other apps.
    pub fn is_return_origin(&self, origin: &str) -> bool {
        self.public_origin.as_deref() == Some(origin)
            || self
                .forward_auth_origins
                .iter()
                .any(|allowed| allowed == origin)
    }

    /// One line for the start-up log: the effective configuration, secrets left out.
    pub fn summary(&self) -> String {
        format!(
            "bind={} cache={:?} session_ttl={}s idle_timeout={} max_sessions_per_user={} \
             cookie={} secure={} public_origin={} trusted_proxies={} via={} cookie_keys={} \
             static_dir={} db_pool_size={} cache_ttl={}s l1_ttl={}ms metrics_bind={}",
            self.bind,
            self.cache_backend,
            self.session_ttl.as_secs(),
            self.idle_timeout
                .map_or_else(|| "off".to_owned(), |d| format!("{}s", d.as_secs())),
            self.max_sessions_per_user,
            self.cookie_name(),
            self.cookie_secure,
            self.public_origin.as_deref().unwrap_or("same-as-host"),
            self.trusted_proxies.len(),
            self.trusted_proxy_header.name(),
            self.session_secrets.len(),
            self.static_dir.display(),
            self.db_pool_size,
            self.cache_ttl.as_secs(),
            self.l1_ttl.as_millis(),
            self.metrics_bind
                .map_or_else(|| "api".to_owned(), |bind| bind.to_string()),
        )
    }
}

/// The cookie keys from `SESSION_SECRET` or the lines of `SESSION_SECRET_FILE`.
fn session_secrets(
    listed: Vec<String>,
    file: Option<PathBuf>,
) -> Result<Vec<SecretString>, ConfigError> {
    let keys = match file {
        Some(path) => read_secret_file(&path)?,
        None => listed
            .into_iter()
            .map(|key| key.trim().to_owned())
            .filter(|key| !key.is_empty())
            .collect(),
    };
    if keys.iter().any(|key| key.len() < 32) {
        return Err(ConfigError::ShortSecret);
    }
    Ok(keys.into_iter().map(SecretString::from).collect())
}

/// One key per line, newest first; blank lines and `#` comments are skipped.
pub fn read_secret_file(path: &std::path::Path) -> Result<Vec<String>, ConfigError> {
    let failed = |reason: String| ConfigError::SecretFile {
        path: path.display().to_string(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|error| failed(error.to_string()))?;
    let keys: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_owned)
        .collect();
    if keys.is_empty() {
        return Err(failed("holds no key".to_owned()));
    }
    Ok(keys)
}

/// Cookies are `Secure` unless the server can only be reached over plain HTTP on
/// purpose: bound to loopback (development), or a public origin that is `http://`.
/// `Secure` when browsers reach the server over HTTPS: an `https` PUBLIC_ORIGIN says so
/// whatever the bind address (a loopback bind behind nginx on the same host is the usual
/// production set-up); without PUBLIC_ORIGIN, any bind but loopback.
fn secure_by_default(bind: &SocketAddr, public_origin: Option<&str>) -> bool {
    match public_origin {
        Some(origin) => origin.starts_with("https://"),
        None => !bind.ip().is_loopback(),
    }
}

/// The origin of an `http(s)://host[:port]` URL as browsers send it in `Origin`
/// (lower-cased host, default port omitted); `None` for anything with a path, a query or
/// credentials.
fn normalize_origin(raw: &str) -> Option<String> {
    let url = url::Url::parse(raw.trim()).ok()?;
    let bare = matches!(url.scheme(), "http" | "https")
        && url.host().is_some()
        && url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none()
        && url.username().is_empty()
        && url.password().is_none();
    bare.then(|| url.origin().ascii_serialization())
}

/// The sentinels to ask, if any were given (and not beside `REDIS_URL`).
fn sentinel_settings(args: &SettingsArgs) -> Result<Option<SentinelSettings>, ConfigError> {
    let sentinels: Vec<String> = (args.redis_sentinels.iter())
        .map(|sentinel| sentinel.trim().to_owned())
        .filter(|sentinel| !sentinel.is_empty())
        .collect();
    if sentinels.is_empty() {
        return Ok(None);
    }
    if args.redis_url.is_some() {
        return Err(ConfigError::RedisTwice);
    }
    let master = (args.redis_sentinel_master.clone())
        .filter(|master| !master.trim().is_empty())
        .ok_or(ConfigError::SentinelsWithoutMaster)?;
    Ok(Some(SentinelSettings {
        sentinels,
        master,
        password: args.redis_password.clone().map(Into::into),
        sentinel_password: args.redis_sentinel_password.clone().map(Into::into),
    }))
}

/// `School.Example.` → `school.example`; `None` for what is not a domain name.
fn normalize_domain(raw: &str) -> Option<String> {
    let domain = raw.trim().trim_start_matches('.').trim_end_matches('.');
    let readable = domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    readable.then(|| domain.to_ascii_lowercase())
}

/// Parses a bare number of seconds or a humantime duration: `30d`, `12h`, `15m`, `90s`,
/// `250ms`, `1h 30m`.
pub fn parse_duration(raw: &str) -> Result<Duration, String> {
    let raw = raw.trim();
    let parsed = match raw.parse::<u64>() {
        Ok(seconds) => Ok(Duration::from_secs(seconds)),
        Err(_) => humantime::parse_duration(raw).map_err(drop),
    };
    parsed.map_err(|()| format!("`{raw}` is not a duration like 30d, 12h, 15m, 90s or 250ms"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Probe {
        #[command(flatten)]
        settings: SettingsArgs,
    }

    fn settings(args: &[&str]) -> Result<Settings, ConfigError> {
        let mut argv = vec!["hallpass"];
        argv.extend_from_slice(args);
        Settings::from_args(Probe::parse_from(argv).settings)
    }

    #[test]
    fn the_defaults_are_the_specifications_and_ignore_the_environment() {
        let defaults = Settings::defaults();
        assert_eq!(defaults.session_ttl, Duration::from_secs(30 * 86_400));
        assert_eq!(defaults.idle_timeout, None);
        assert_eq!(defaults.max_sessions_per_user, 100);
        assert_eq!(defaults.cache_backend, CacheBackend::Memory);
        assert_eq!(defaults.l1_ttl, Duration::from_secs(1));
        assert!(defaults.session_secrets.is_empty());
        assert!(!defaults.cookie_secure, "bound to loopback");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30d"), Ok(Duration::from_secs(30 * 86_400)));
        assert_eq!(parse_duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert!(parse_duration("soon").is_err());
        assert_eq!(parse_duration("1h 30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(
            parse_duration("2 weeks"),
            Ok(Duration::from_secs(14 * 86_400))
        );
        assert!(parse_duration("5 fortnights").is_err());
        assert!(parse_duration("-5s").is_err());
        assert!(parse_duration("99999999999999999999d").is_err());
    }

    #[test]
    fn cache_backend_follows_redis_url_unless_chosen() {
        let explicit = |args: &[&str]| settings(args).map(|s| s.cache_backend).ok();
        assert_eq!(
            explicit(&["--redis-url", "redis://x"]),
            Some(CacheBackend::Redis)
        );
        assert_eq!(
            explicit(&["--redis-url", "redis://x", "--session-cache", "postgres"]),
            Some(CacheBackend::Postgres)
        );
        assert!(matches!(
            settings(&["--session-cache", "redis"]),
            Err(ConfigError::RedisWithoutUrl)
        ));
    }

    #[test]
    fn sentinels_name_their_master_and_stand_instead_of_a_url() {
        let sentinels = ["--redis-sentinels", "10.0.0.1:26379, 10.0.0.2:26379"];
        let master = ["--redis-sentinel-master", "hallpass"];
        let parsed = settings(&[&sentinels[..], &master[..]].concat()).unwrap();
        assert_eq!(parsed.cache_backend, CacheBackend::Redis);
        let sentinel = parsed.redis_sentinel.unwrap();
        assert_eq!(sentinel.sentinels, ["10.0.0.1:26379", "10.0.0.2:26379"]);
        assert_eq!(sentinel.master, "hallpass");
        assert!(matches!(
            settings(&sentinels),
            Err(ConfigError::SentinelsWithoutMaster)
        ));
        let both = [
            &sentinels[..],
            &master[..],
            &["--redis-url", "redis://x"][..],
        ]
        .concat();
        assert!(matches!(settings(&both), Err(ConfigError::RedisTwice)));
    }

    #[test]
    fn secrets_are_checked_and_never_printed() {
        assert!(matches!(
            settings(&["--session-secret", "short"]),
            Err(ConfigError::ShortSecret)
        ));
        let secret = "s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t";
        let parsed = settings(&[
            "--session-secret",
            secret,
            "--database-url",
            "postgres://u:pw@h/db",
        ])
        .unwrap();
        let debug = format!("{parsed:?} {}", parsed.summary());
        assert!(!debug.contains(secret));
        assert!(!debug.contains("pw@"));
    }

    #[test]
    fn cookie_keys_come_as_a_list_or_a_file_newest_first() {
        use secrecy::ExposeSecret as _;
        let (newest, older) = ("n".repeat(32), "o".repeat(40));
        let keys = |settings: Settings| -> Vec<String> {
            let keys = settings.session_secrets.iter();
            keys.map(|key| key.expose_secret().to_owned()).collect()
        };
        let listed = settings(&["--session-secret", &format!("{newest}, {older}")]).unwrap();
        assert_eq!(keys(listed), [newest.clone(), older.clone()]);
        assert!(matches!(
            settings(&["--session-secret", &format!("{newest},short")]),
            Err(ConfigError::ShortSecret)
        ));

        let file = std::env::temp_dir().join(format!("hallpass-keys-{}", uuid::Uuid::new_v4()));
        std::fs::write(&file, format!("# rotated 2026-11\n{newest}\n\n{older}\n")).unwrap();
        let from_file = settings(&["--session-secret-file", file.to_str().unwrap()]).unwrap();
        assert_eq!(keys(from_file), [newest, older]);
        std::fs::write(&file, "# nothing yet\n").unwrap();
        assert!(matches!(
            settings(&["--session-secret-file", file.to_str().unwrap()]),
            Err(ConfigError::SecretFile { .. })
        ));
        std::fs::remove_file(&file).unwrap();
        assert!(settings(&["--session-secret-file", file.to_str().unwrap()]).is_err());
        assert!(settings(&[]).unwrap().session_secrets.is_empty());
    }

    #[test]
    fn origins_are_normalised_and_paths_refused() {
        let origin = |raw: &str| settings(&["--public-origin", raw]).map(|s| s.public_origin);
        assert_eq!(
            origin("HTTPS://Hallpass.Example.org/")
                .ok()
                .flatten()
                .as_deref(),
            Some("https://hallpass.example.org")
        );
        assert!(origin("https://x.org/app").is_err());
        assert!(origin("x.org").is_err());
        assert!(origin("https://u:p@x.org").is_err());
        assert!(origin("ftp://x.org").is_err());
        assert_eq!(
            origin("https://x.org:443").ok().flatten().as_deref(),
            Some("https://x.org")
        );
        assert_eq!(
            origin("http://127.0.0.1:8080").ok().flatten().as_deref(),
            Some("http://127.0.0.1:8080")
        );
    }

    #[test]
    fn cookies_are_secure_unless_plain_http_is_chosen() {
        let secure = |args: &[&str]| settings(args).unwrap().cookie_secure;
        assert!(!secure(&[]), "loopback (the default bind) is development");
        assert!(secure(&["--bind", "0.0.0.0:8080"]));
        assert!(secure(&[
            "--bind",
            "192.0.2.10:443",
            "--public-origin",
            "https://x.org"
        ]));
        assert!(!secure(&[
            "--bind",
            "0.0.0.0:8080",
            "--public-origin",
            "http://x.lan"
        ]));
        assert!(!secure(&[
            "--bind",
            "0.0.0.0:8080",
            "--cookie-secure",
            "false"
        ]));
        assert!(secure(&["--cookie-secure", "true"]));
        assert!(
            secure(&["--public-origin", "https://hallpass.school.example"]),
            "behind nginx on the same host: loopback bind, https origin"
        );
        assert!(!secure(&["--public-origin", "http://127.0.0.1:8080"]));
        let name = |args: &[&str]| settings(args).unwrap().cookie_name();
        assert_eq!(name(&["--bind", "[::]:8080"]), "__Host-hallpass_session");
    }

    #[test]
    fn secure_cookies_get_the_host_prefix() {
        let secure = settings(&["--cookie-secure", "true"]).unwrap();
        assert_eq!(secure.cookie_name(), "__Host-hallpass_session");
        assert_eq!(settings(&[]).unwrap().cookie_name(), "hallpass_session");
    }
}
