//! Building the application from [`Settings`]: database, migrations, cookie keys, cache,
//! listeners (the API's, and the metrics' when `METRICS_BIND` is set).
//! `Application::build` binds (port 0 picks a free port, as tests do);
//! `run_until_stopped` serves.

use std::{
    net::{SocketAddr, TcpListener},
    sync::Arc,
    time::Duration,
};

use actix_web::{
    App, HttpServer,
    dev::Server,
    http::header::{STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS},
    middleware::{DefaultHeaders, from_fn},
    web,
};
use anyhow::Context as _;
use chrono::Utc;
use secrecy::ExposeSecret as _;

use crate::{
    auth::{
        cookie::SessionCookies,
        cookie_keys::{CookieKeys, Opener},
        stable_secret::{Purpose, StableSecret},
    },
    cache::{
        Cache, EntrySeal, SharedBackend,
        invalidation::{Invalidations, Transport, postgres::PostgresChannel, redis::RedisChannel},
        postgres::PostgresCache,
        redis::RedisCache,
    },
    config::{CacheBackend, Settings},
    db::{self, DbPool, PgStore},
    domain::{
        Domain, SessionPolicy,
        policies::{self, RolePolicies, RolePolicy},
        sessions::flush_touches,
        throttle::LoginThrottle,
    },
    error,
    geoip::GeoIp,
    jobs::{cache_probe, gauges, geoip_reload, invalidations, policy_reload, purge, touches},
    metrics::Metrics,
    middleware::request_log::log_request,
    redis_connections::RedisServer,
    routes,
    state::AppState,
    throttle::{
        AttemptStore, Backoff, GuardedCounters, postgres::PostgresAttempts, redis::RedisAttempts,
    },
};

/// One year, this host only: subdomains may be other services, which this one cannot
/// speak for.
const HSTS: &str = "max-age=31536000";
/// Largest JSON body accepted; larger ones get 413.
const JSON_LIMIT_BYTES: usize = 16 * 1024;
/// How often `serve` purges expired sessions and cache rows.
const PURGE_EVERY: Duration = Duration::from_secs(3600);

pub struct Application {
    port: u16,
    server: Server,
    /// The metrics' own server and port, when `METRICS_BIND` is set.
    metrics: Option<(u16, Server)>,
    state: web::Data<AppState>,
}

/// Wraps the chosen cache backend before the application uses it (tests put a double
/// around it to stage races; `Application::build` wraps nothing).
pub type CacheLayer = Box<dyn FnOnce(Box<dyn SharedBackend>) -> Box<dyn SharedBackend>>;

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with_cache_layer(settings, Box::new(|backend| backend)).await
    }

    /// [`Application::build`], with `layer` around the cache backend. The steps, in order.
    pub async fn build_with_cache_layer(
        settings: Settings,
        layer: CacheLayer,
    ) -> anyhow::Result<Self> {
        let db = connect_database(&settings).await?;
        let keys = load_keys(&settings, &db).await?;
        let stable = load_stable_secret(&keys, &db).await?;
        let redis = open_redis(&settings)?;
        let cache = start_cache(&settings, &db, redis.as_ref(), &stable, layer)?;
        tracing::info!("configuration: {}", settings.summary());
        let listener = bind(&settings)?;
        let throttle = login_throttle(&settings, &db, redis.as_ref(), &stable)?;
        let geoip = open_geoip(&settings)?;
        let domain = Arc::new(Domain::new(
            PgStore::new(db),
            cache,
            session_policy(&settings)?,
            throttle,
            Metrics::new().context("registering metrics")?,
            geoip,
        ));
        load_policies(&domain).await?;
        spawn_jobs(&domain, &settings)?;
        let cookies = SessionCookies::new(keys, &stable, &settings);
        serve(listener, AppState { domain, settings }, cookies)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port `/metrics` is served on when `METRICS_BIND` is set.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics.as_ref().map(|(port, _)| *port)
    }

    /// The shared state, for operators' tooling and tests that look behind the API.
    pub fn state(&self) -> Arc<AppState> {
        self.state.clone().into_inner()
    }

    /// Serves until stopped (SIGTERM, SIGINT), then writes the `last_seen_at` times
    /// still waiting for their batch.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = match self.metrics {
            None => self.server.await,
            Some((_, metrics)) => futures_util::future::try_join(self.server, metrics)
                .await
                .map(drop),
        };
        flush_touches(&self.state.domain).await;
        served
    }
}

/// Creates and migrates the database when needed, then opens the pool.
async fn connect_database(settings: &Settings) -> anyhow::Result<DbPool> {
    let url = settings.database_url.expose_secret();
    db::create_database_if_missing(url).await?;
    let applied = db::migrate(url).await?;
    if applied > 0 {
        tracing::info!("applied {applied} migration(s)");
    }
    db::connect(
        url,
        settings.db_pool_size,
        settings.db_pool_timeout,
        settings.db_query_timeout,
    )
    .await
}

/// The configured cookie keys, checked against the fingerprint the deployment's
/// database records, plus the retired database key while cookies it sealed can still be
/// valid.
async fn load_keys(settings: &Settings, db: &DbPool) -> anyhow::Result<CookieKeys> {
    let keys = CookieKeys::from_secrets(&settings.session_secrets)?;
    let mut conn = db.get().await.context("loading the cookie keys")?;
    let known = keys.fingerprints();
    let agreed = db::keys::agree_on_fingerprint(&mut conn, &known[0], &known)
        .await
        .context("checking the cookie key fingerprint")?;
    anyhow::ensure!(
        agreed,
        "none of the configured SESSION_SECRET keys is the one the other instances of \
         this database use: give every instance the same keys (to rotate, put the new \
         key first and keep the old one after it)"
    );
    let cutoff = Utc::now() - chrono::Duration::from_std(settings.session_ttl)?;
    let retired = db::keys::retired_key(&mut conn, cutoff)
        .await
        .context("loading the retired cookie key")?;
    keys.with_retired(retired)
}

/// The deployment's stable secret (see `auth::stable_secret`): made at the first start,
/// resealed with the newest key after a rotation.
async fn load_stable_secret(keys: &CookieKeys, db: &DbPool) -> anyhow::Result<StableSecret> {
    let mut conn = db.get().await.context("loading the stable secret")?;
    let fresh = StableSecret::generate()?;
    let sealed = db::keys::stable_secret(&mut conn, &fresh.seal(keys)?)
        .await
        .context("loading the stable secret")?;
    let secret = match StableSecret::open(keys, &sealed) {
        Some((secret, Opener::Newest)) => return Ok(secret),
        Some((secret, _)) => secret,
        None => {
            tracing::warn!(
                "no configured SESSION_SECRET key opens the deployment's stable secret: \
                 a new one replaces it, so login lockouts and device cookies start over"
            );
            fresh
        }
    };
    db::keys::reseal_stable_secret(&mut conn, &secret.seal(keys)?)
        .await
        .context("resealing the stable secret")?;
    Ok(secret)
}

/// The Redis server the cache, the counters and the channel share, with
/// `SESSION_CACHE=redis`: the one `REDIS_URL` names, or the master the sentinels of
/// `REDIS_SENTINELS` name, followed through failovers from now on.
fn open_redis(settings: &Settings) -> anyhow::Result<Option<Arc<RedisServer>>> {
    if settings.cache_backend != CacheBackend::Redis {
        return Ok(None);
    }
    let server = match (&settings.redis_sentinel, &settings.redis_url) {
        (Some(sentinels), _) => RedisServer::under_sentinels(sentinels.clone()),
        (None, Some(url)) => {
            RedisServer::at(url.expose_secret()).context("REDIS_URL is not a Redis URL")?
        }
        (None, None) => anyhow::bail!("SESSION_CACHE=redis needs REDIS_URL or REDIS_SENTINELS"),
    };
    tokio::spawn(Arc::clone(&server).follow());
    Ok(Some(server))
}

/// The session cache's tiers and the invalidation channel between instances; shared
/// entries are tagged with a key derived from the stable secret.
fn start_cache(
    settings: &Settings,
    db: &DbPool,
    redis: Option<&Arc<RedisServer>>,
    stable: &StableSecret,
    layer: CacheLayer,
) -> anyhow::Result<Arc<Cache>> {
    let cache = Arc::new(Cache::new(
        settings.cache_key_prefix.clone(),
        EntrySeal::new(&stable.derive(Purpose::CacheEntries)),
        shared_cache(settings, db, redis)?.map(layer),
        settings.cache_ttl,
        settings.l1_ttl,
        Invalidations::new(invalidation_transport(settings, db, redis)?),
    ));
    tracing::info!(
        "Using {} for session cache; revocations reach the other instances over {}",
        cache.backend_name(),
        cache.channel_name()
    );
    Ok(cache)
}

/// The API's listener (port 0 picks a free port, as tests do).
fn bind(settings: &Settings) -> anyhow::Result<TcpListener> {
    let listener =
        TcpListener::bind(settings.bind).with_context(|| format!("binding {}", settings.bind))?;
    let address = listener.local_addr()?;
    tracing::info!("Hallpass is serving http://{address}");
    if !address.ip().is_loopback() && settings.public_origin.is_none() {
        tracing::warn!(
            "serving on {address} without PUBLIC_ORIGIN: cross-site checks fall back to \
             the Host header and ignore the scheme; set PUBLIC_ORIGIN to the origin \
             browsers use (e.g. https://hallpass.example.org)"
        );
    }
    Ok(listener)
}

/// The login throttle, counting where the session cache lives, its hashes keyed by the
/// stable secret (a key rotation keeps every lockout).
fn login_throttle(
    settings: &Settings,
    db: &DbPool,
    redis: Option<&Arc<RedisServer>>,
    stable: &StableSecret,
) -> anyhow::Result<LoginThrottle<GuardedCounters>> {
    let throttle = LoginThrottle::new(
        GuardedCounters::new(attempt_store(settings, db, redis)?),
        settings.cache_key_prefix.clone(),
        stable.derive(Purpose::ThrottleHashes),
        settings.login_max_failures,
        Backoff {
            base: settings.login_first_delay.min(settings.login_lockout),
            cap: settings.login_lockout,
        },
    );
    tracing::info!("Counting login attempts in {}", throttle.backend_name());
    Ok(throttle)
}

/// The GeoIP database of `GEOIP_DB`, or none.
fn open_geoip(settings: &Settings) -> anyhow::Result<Arc<GeoIp>> {
    let geoip = Arc::new(match &settings.geoip_db {
        Some(path) => GeoIp::open(path)?,
        None => GeoIp::disabled(),
    });
    tracing::info!("Locating new sessions with GeoIP: {}", geoip.describe());
    Ok(geoip)
}

/// The background jobs: the cache's fence replay and invalidation channel, the hourly
/// purge, the GeoIP reload on SIGHUP, the active-sessions gauge, the batched
/// `last_seen_at` writes.
/// The role policies admins set, in force before the first request.
async fn load_policies(domain: &Domain) -> anyhow::Result<()> {
    policies::admin::reload(domain)
        .await
        .context("reading the role policies")
}

fn spawn_jobs(domain: &Arc<Domain>, settings: &Settings) -> anyhow::Result<()> {
    cache_probe::spawn(Arc::clone(&domain.cache));
    invalidations::spawn(Arc::clone(&domain.cache));
    purge::spawn_periodic(
        domain.store.pool().clone(),
        PURGE_EVERY,
        settings.audit_retention,
    );
    geoip_reload::spawn(Arc::clone(&domain.locator)).context("listening for SIGHUP")?;
    gauges::spawn_active_sessions(Arc::clone(domain), settings.metrics_refresh);
    touches::spawn(Arc::clone(domain));
    policy_reload::spawn(Arc::clone(domain));
    Ok(())
}

/// The headers every answer carries: `nosniff`, and, when cookies are `Secure` (the
/// deployment is served over HTTPS), `Strict-Transport-Security` for a year, so a
/// browser never again tries the plain-HTTP address a network attacker could answer.
fn default_headers(secure: bool) -> DefaultHeaders {
    let headers = DefaultHeaders::new().add((X_CONTENT_TYPE_OPTIONS, "nosniff"));
    if secure {
        headers.add((STRICT_TRANSPORT_SECURITY, HSTS))
    } else {
        headers
    }
}

/// The HTTP servers: the API, the SPA and the probes on `listener`, and `/metrics` on
/// its own address when `METRICS_BIND` is set.
fn serve(
    listener: TcpListener,
    state: AppState,
    cookies: SessionCookies,
) -> anyhow::Result<Application> {
    let settings = &state.settings;
    let port = listener.local_addr()?.port();
    let spa = routes::spa::Spa::load(&settings.static_dir).map(web::Data::new);
    if spa.is_none() {
        tracing::warn!(
            "no built SPA in {} (build it with `trunk build --release`): \
             only the API is served",
            settings.static_dir.display()
        );
    }
    let (workers, shutdown_timeout) = (settings.workers, settings.shutdown_timeout);
    let metrics_bind = settings.metrics_bind;
    let secure = settings.cookie_secure;
    let state = web::Data::new(state);
    let cookies = web::Data::new(cookies);
    let metrics = metrics_bind
        .map(|bind| metrics_server(bind, state.clone()))
        .transpose()?;
    let app_state = state.clone();
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(cookies.clone())
            .app_data(
                web::JsonConfig::default()
                    .limit(JSON_LIMIT_BYTES)
                    .error_handler(error::json_error),
            )
            .app_data(web::PathConfig::default().error_handler(error::path_error))
            .app_data(web::QueryConfig::default().error_handler(error::query_error))
            .configure(routes::configure)
            .configure(|cfg| {
                if metrics_bind.is_none() {
                    routes::configure_metrics(cfg);
                }
            })
            .configure(|cfg| routes::spa::configure(cfg, spa.as_ref()))
            .wrap(default_headers(secure))
            .wrap(from_fn(log_request))
    })
    .listen(listener)?;
    if let Some(workers) = workers {
        server = server.workers(workers);
    }
    server = server.shutdown_timeout(shutdown_timeout.as_secs());
    Ok(Application {
        port,
        server: server.run(),
        metrics,
        state: app_state,
    })
}

/// `/metrics` alone on `bind`, one worker: scrapes are rare and never touch the database.
fn metrics_server(bind: SocketAddr, state: web::Data<AppState>) -> anyhow::Result<(u16, Server)> {
    let listener =
        TcpListener::bind(bind).with_context(|| format!("binding METRICS_BIND {bind}"))?;
    let port = listener.local_addr()?.port();
    tracing::info!(
        "metrics are served on http://{}/metrics",
        listener.local_addr()?
    );
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .configure(routes::configure_metrics)
            // Scraped over plain HTTP on an internal address: no HSTS.
            .wrap(default_headers(false))
    })
    .workers(1)
    .listen(listener)?
    .run();
    Ok((port, server))
}

/// The session rules' lifetimes and limits, from the settings: every role on the
/// defaults until [`load_policies`] reads what admins set.
fn session_policy(settings: &Settings) -> anyhow::Result<SessionPolicy> {
    let span = |duration: Duration| {
        chrono::Duration::from_std(duration).context("a session duration is out of range")
    };
    let defaults = RolePolicy {
        lifetime: span(settings.session_ttl)?,
        idle_timeout: settings.idle_timeout.map(span).transpose()?,
        max_sessions: settings.max_sessions_per_user,
    };
    Ok(SessionPolicy {
        roles: RolePolicies::new(defaults),
        cache_ttl: settings.cache_ttl,
        reauth_window: span(settings.reauth_window)?,
        shared_device_idle: span(settings.shared_device_idle)?,
    })
}

/// Login attempt counters live where the session cache does: shared by every instance in
/// Redis or PostgreSQL, in memory only for the single instance `SESSION_CACHE=memory` is.
fn attempt_store(
    settings: &Settings,
    db: &DbPool,
    redis: Option<&Arc<RedisServer>>,
) -> anyhow::Result<Box<dyn AttemptStore>> {
    Ok(match settings.cache_backend {
        CacheBackend::Memory => {
            Box::new(hallpass_core::throttle::memory::MemoryAttempts::default())
        }
        CacheBackend::Postgres => Box::new(PostgresAttempts::new(db.clone())),
        CacheBackend::Redis => Box::new(RedisAttempts::new(Arc::clone(redis_server(redis)?))),
    })
}

/// The cache every instance shares, if any: with `SESSION_CACHE=memory` each instance's
/// own memory is the whole cache.
fn shared_cache(
    settings: &Settings,
    db: &DbPool,
    redis: Option<&Arc<RedisServer>>,
) -> anyhow::Result<Option<Box<dyn SharedBackend>>> {
    Ok(match settings.cache_backend {
        CacheBackend::Memory => None,
        CacheBackend::Postgres => Some(Box::new(PostgresCache::new(db.clone()))),
        CacheBackend::Redis => Some(Box::new(RedisCache::new(Arc::clone(redis_server(redis)?)))),
    })
}

/// Invalidations travel over Redis when the cache is Redis, and over PostgreSQL
/// otherwise (which every instance shares in any case).
fn invalidation_transport(
    settings: &Settings,
    db: &DbPool,
    redis: Option<&Arc<RedisServer>>,
) -> anyhow::Result<Box<dyn Transport>> {
    Ok(match settings.cache_backend {
        CacheBackend::Redis => Box::new(RedisChannel::new(
            Arc::clone(redis_server(redis)?),
            &settings.cache_key_prefix,
        )),
        CacheBackend::Memory | CacheBackend::Postgres => Box::new(PostgresChannel::new(
            db.clone(),
            settings.database_url.expose_secret().to_owned(),
        )),
    })
}

fn redis_server(redis: Option<&Arc<RedisServer>>) -> anyhow::Result<&Arc<RedisServer>> {
    redis.context("SESSION_CACHE=redis needs REDIS_URL or REDIS_SENTINELS")
}
