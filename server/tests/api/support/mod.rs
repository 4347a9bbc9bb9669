//! `TestApp`: a real server on a random port over a fresh database, and personas that
//! each carry their own cookie jar.

pub mod caddy;
pub mod nginx;
pub mod private_postgres;
pub mod private_redis;
pub mod server_process;
pub mod test_db;

use std::{collections::HashMap, sync::Arc, time::Duration};

use actix_web::cookie::{Cookie, CookieJar, Key};
use hallpass_core::{TokenHash, ports::Store as _};
use hallpass_server::{
    config::{CacheBackend, LogFormat, Settings},
    domain::users::{self, NewAccount},
    startup::{Application, CacheLayer},
    state::AppState,
    telemetry,
};
use hallpass_shared::{AuthResponse, ErrorBody, ErrorCode, LoginRequest, Role, UserId, paths};
use reqwest::{StatusCode, cookie::CookieStore as _, header::HeaderValue};
use serde::{Serialize, de::DeserializeOwned};
use uuid::Uuid;

pub use test_db::TestDatabase;

pub const PASSWORD: &str = "correct horse battery staple";
pub const REDIS_URL: &str = "redis://127.0.0.1:6379";
pub const SECRET: &str = "test-secret-test-secret-test-secret-test-secret-test-secret-0123";

pub struct TestApp {
    pub address: String,
    /// Where `/metrics` is served when `METRICS_BIND` is set.
    pub metrics_address: Option<String>,
    pub settings: Settings,
    pub state: Arc<AppState>,
    /// Last, so the database is dropped after everything that uses it.
    pub db: TestDatabase,
}

/// Settings for a test: the defaults, on the test's own database, a random port, one
/// worker, the given cache backend, a private Redis key prefix, a known cookie secret so
/// tests can read their own cookies, and a long first login delay so that a throttled
/// attempt stays throttled while a test looks.
pub fn settings(backend: CacheBackend, db: &TestDatabase) -> Settings {
    Settings {
        database_url: db.url.clone().into(),
        redis_url: Some(REDIS_URL.to_owned().into()),
        cache_backend: backend,
        cache_key_prefix: format!("test:{}:", Uuid::new_v4().simple()),
        bind: "127.0.0.1:0".parse().unwrap(),
        workers: Some(1),
        session_secrets: vec![SECRET.to_owned().into()],
        db_pool_size: 8,
        login_first_delay: Duration::from_secs(30),
        ..Settings::defaults()
    }
}

pub async fn spawn_app(backend: CacheBackend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

pub async fn spawn_app_with(backend: CacheBackend, tweak: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_app_with_cache_layer(backend, tweak, Box::new(|backend| backend)).await
}

/// An application whose cache backend is wrapped by `layer` (a test double).
pub async fn spawn_app_with_cache_layer(
    backend: CacheBackend,
    tweak: impl FnOnce(&mut Settings),
    layer: CacheLayer,
) -> TestApp {
    init_tracing();
    let db = TestDatabase::new().await;
    let mut settings = settings(backend, &db);
    tweak(&mut settings);
    let (address, metrics_address, state) = start(settings.clone(), layer).await;
    TestApp {
        address,
        metrics_address,
        settings,
        state,
        db,
    }
}

/// A started application: its address, its metrics' own address (`METRICS_BIND`), its
/// state.
type Started = (String, Option<String>, Arc<AppState>);

async fn start(settings: Settings, layer: CacheLayer) -> Started {
    try_start(settings, layer).await.expect("build application")
}

async fn try_start(settings: Settings, layer: CacheLayer) -> anyhow::Result<Started> {
    let application = Application::build_with_cache_layer(settings, layer).await?;
    let url = |port: u16| format!("http://127.0.0.1:{port}");
    let address = url(application.port());
    let metrics_address = application.metrics_port().map(url);
    let state = application.state();
    tokio::spawn(application.run_until_stopped());
    Ok((address, metrics_address, state))
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|probe| probe.local_addr())
        .expect("a free port")
        .port()
}

/// The cookie key a `SESSION_SECRET` entry stands for.
pub fn key_of(secret: &str) -> Key {
    Key::derive_from(secret.as_bytes())
}

fn init_tracing() {
    if std::env::var_os("TEST_LOG").is_some() {
        telemetry::init(LogFormat::Text, || Box::new(std::io::stdout()));
    } else {
        telemetry::init(LogFormat::Text, || Box::new(std::io::sink()));
    }
}

/// A person using the API: their account and their own cookie jar.
pub struct TestUser {
    pub id: UserId,
    pub email: String,
    pub client: reqwest::Client,
    pub jar: Arc<reqwest::cookie::Jar>,
    base: String,
}

impl TestApp {
    /// Another instance of the same deployment: same database, cache, keys; its own port.
    pub async fn second_instance(&self) -> String {
        start(self.settings.clone(), Box::new(|backend| backend))
            .await
            .0
    }

    /// Another instance on the same database and cache with `tweak`ed settings, or why
    /// it refused to start.
    pub async fn instance_with(&self, tweak: impl FnOnce(&mut Settings)) -> anyhow::Result<String> {
        let mut settings = self.settings.clone();
        tweak(&mut settings);
        Ok(try_start(settings, Box::new(|backend| backend)).await?.0)
    }

    /// `user` as seen through another instance's address (same cookie jar).
    pub fn via(&self, user: &TestUser, address: &str) -> TestUser {
        TestUser {
            id: user.id,
            email: user.email.clone(),
            client: user.client.clone(),
            jar: Arc::clone(&user.jar),
            base: address.to_owned(),
        }
    }

    /// A fresh client with an empty cookie jar.
    pub fn anonymous(&self) -> TestUser {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        TestUser {
            id: UserId(Uuid::nil()),
            email: String::new(),
            client: client(&jar, "hallpass-tests/1.0"),
            jar,
            base: self.address.clone(),
        }
    }

    /// Creates an account with [`PASSWORD`]; not logged in.
    pub async fn user(&self, role: Role) -> TestUser {
        let email = format!("{role}-{}@school.example.org", Uuid::new_v4().simple());
        let mut conn = self.state.domain.store.connect().await.unwrap();
        let account = NewAccount {
            email: email.clone(),
            name: format!("Test {role}"),
            role,
            password: PASSWORD.to_owned().into(),
        };
        let row = users::create(&mut conn, account).await.unwrap();
        TestUser {
            id: row.id,
            email,
            ..self.anonymous()
        }
    }

    /// A user of `role` who has logged in.
    pub async fn logged_in(&self, role: Role) -> TestUser {
        let user = self.user(role).await;
        user.login().await;
        user
    }

    pub async fn student(&self) -> TestUser {
        self.logged_in(Role::Student).await
    }

    /// The token inside a user's cookie, decrypted as only the server (and this test,
    /// which knows the secret) can.
    pub fn token_of(&self, user: &TestUser) -> String {
        let raw = user.cookie().expect("user has a session cookie");
        let fields = self
            .open_cookie(&key_of(SECRET), &raw)
            .expect("cookie opens");
        serde_json::from_str(&fields["token"]).unwrap()
    }

    /// The fields of a `name=value` session cookie sealed with `key` (values are JSON
    /// texts), or `None` if `key` does not open it.
    pub fn open_cookie(&self, key: &Key, raw: &str) -> Option<HashMap<String, String>> {
        let cookie = Cookie::parse_encoded(raw.to_owned()).ok()?;
        let plain = CookieJar::new().private(key).decrypt(cookie)?;
        serde_json::from_str(plain.value()).ok()
    }

    /// A `name=value` session cookie holding `fields`, sealed with `key`: what a server
    /// holding `key` would mint.
    pub fn seal_cookie(&self, key: &Key, fields: &HashMap<String, String>) -> String {
        let name = self.settings.cookie_name();
        let mut jar = CookieJar::new();
        let plain = Cookie::new(name, serde_json::to_string(fields).unwrap());
        jar.private_mut(key).add(plain);
        format!("{name}={}", jar.get(name).unwrap().value())
    }

    /// The fields of a fresh claim for `user_id`: a new random token, issued at
    /// `issued_at`, with `lifetime_seconds` recorded (or none, as earlier versions wrote).
    pub fn claim_fields(
        &self,
        user_id: UserId,
        issued_at: chrono::DateTime<chrono::Utc>,
        lifetime_seconds: Option<i64>,
    ) -> HashMap<String, String> {
        let token = hallpass_core::SessionToken::generate().unwrap();
        let json = |value: serde_json::Value| value.to_string();
        let mut fields = HashMap::from([
            ("token".to_owned(), json(token.encode().into())),
            ("user_id".to_owned(), json(user_id.to_string().into())),
            (
                "issued_at".to_owned(),
                json(issued_at.timestamp_micros().into()),
            ),
        ]);
        if let Some(seconds) = lifetime_seconds {
            fields.insert("lifetime".to_owned(), json(seconds.into()));
        }
        fields
    }

    /// Runs SQL against the test's database and returns the rows as JSON.
    pub async fn rows(&self, sql: &str) -> Vec<serde_json::Value> {
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Jsonb)]
            row: serde_json::Value,
        }
        let mut conn = self.state.domain.store.pool().get().await.unwrap();
        let query = format!("SELECT to_jsonb(t) AS row FROM ({sql}) t");
        let rows: Vec<Row> = diesel_async::RunQueryDsl::load(diesel::sql_query(query), &mut conn)
            .await
            .unwrap();
        rows.into_iter().map(|row| row.row).collect()
    }

    pub async fn execute(&self, sql: &str) -> usize {
        let mut conn = self.state.domain.store.pool().get().await.unwrap();
        diesel_async::RunQueryDsl::execute(diesel::sql_query(sql), &mut conn)
            .await
            .unwrap()
    }

    /// Active and tombstoned session rows of a user.
    pub async fn session_rows(&self, user: &TestUser) -> Vec<serde_json::Value> {
        self.rows(&format!(
            "SELECT * FROM user_sessions WHERE user_id = '{}' ORDER BY created",
            user.id
        ))
        .await
    }

    pub async fn events_of_kind(&self, user: &TestUser, kind: &str) -> Vec<serde_json::Value> {
        self.rows(&format!(
            "SELECT * FROM session_events WHERE user_id = '{}' AND kind = '{kind}' ORDER BY at",
            user.id
        ))
        .await
    }

    /// The value of the sample `series` (a metric's name, with its labels) in the
    /// instance's `/metrics` at `address`, if it is there.
    pub async fn metric_at(&self, address: &str, series: &str) -> Option<f64> {
        let text = reqwest::get(format!("{address}{}", paths::METRICS))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        text.lines()
            .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
            .map(|value| value.parse().unwrap())
    }

    /// Whether `user`'s next validation on this instance is answered by the shared cache
    /// (per the metrics).
    pub async fn served_from_cache(&self, user: &TestUser) -> bool {
        self.served_from_cache_at(&self.address, user).await
    }

    /// [`TestApp::served_from_cache`] on the instance at `address`.
    pub async fn served_from_cache_at(&self, address: &str, user: &TestUser) -> bool {
        const HITS: &str = r#"hallpass_session_validations_total{outcome="valid",source="cache"}"#;
        let hits = || async { self.metric_at(address, HITS).await.unwrap_or(0.0) };
        let before = hits().await;
        let answered = self.via(user, address).get(paths::CURRENT_SESSION).await;
        answered.status() == StatusCode::OK && hits().await == before + 1.0
    }

    /// Forgets every cached session so the next request goes to the database.
    pub async fn forget_cached(&self, user: &TestUser) {
        let hashes: Vec<TokenHash> = self
            .session_rows(user)
            .await
            .iter()
            .map(|row| TokenHash::from_hex(row["token_hash"].as_str().unwrap()).unwrap())
            .collect();
        for hash in &hashes {
            self.state.domain.cache.forget(hash).await;
        }
    }
}

fn client(jar: &Arc<reqwest::cookie::Jar>, user_agent: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_provider(Arc::clone(jar))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(user_agent)
        .build()
        .unwrap()
}

impl TestUser {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn login(&self) -> reqwest::Response {
        let response = self.login_with(PASSWORD).await;
        assert_eq!(response.status(), StatusCode::OK, "login of {}", self.email);
        response
    }

    pub async fn login_with(&self, password: &str) -> reqwest::Response {
        let body = LoginRequest {
            email: self.email.clone(),
            password: password.to_owned(),
            token: false,
            shared_device: false,
        };
        self.post_json(paths::LOGIN, &body).await
    }

    /// Logs in with [`PASSWORD`], sending `headers` too (as a proxy in front would).
    pub async fn login_through(&self, headers: &[(&str, &str)]) -> AuthResponse {
        let body = LoginRequest {
            email: self.email.clone(),
            password: PASSWORD.into(),
            token: false,
            shared_device: false,
        };
        let mut request = self.client.post(self.url(paths::LOGIN)).json(&body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        json(request.send().await.unwrap()).await
    }

    /// This browser (same cookie jar) typing `email` instead.
    pub fn typing(&self, email: &str) -> TestUser {
        TestUser {
            id: self.id,
            email: email.to_owned(),
            client: self.client.clone(),
            jar: Arc::clone(&self.jar),
            base: self.base.clone(),
        }
    }

    /// The same account in another browser (its own, empty cookie jar), not logged in.
    pub fn new_browser(&self) -> TestUser {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        TestUser {
            id: self.id,
            email: self.email.clone(),
            client: client(
                &jar,
                "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
            ),
            jar,
            base: self.base.clone(),
        }
    }

    /// The same account in another browser, logged in.
    pub async fn second_device(&self) -> TestUser {
        let other = self.new_browser();
        other.login().await;
        other
    }

    /// `name=value` of the session cookie as the jar holds it.
    pub fn cookie(&self) -> Option<String> {
        let url = self.base.parse().unwrap();
        let header = self.jar.cookies(&url)?;
        header
            .to_str()
            .unwrap()
            .split("; ")
            .find(|pair| {
                pair.starts_with("hallpass_session=")
                    || pair.starts_with("__Host-hallpass_session=")
            })
            .map(str::to_owned)
    }

    /// Puts a cookie value back into the jar (e.g. one saved before it was cleared).
    pub fn set_cookie(&self, name_value: &str) {
        let url = self.base.parse().unwrap();
        self.jar
            .add_cookie_str(&format!("{name_value}; Path=/"), &url);
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn post(&self, path: &str) -> reqwest::Response {
        self.client.post(self.url(path)).send().await.unwrap()
    }

    pub async fn post_json(&self, path: &str, body: &impl Serialize) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn delete(&self, path: &str) -> reqwest::Response {
        self.client.delete(self.url(path)).send().await.unwrap()
    }

    pub async fn get_json<T: DeserializeOwned>(&self, path: &str) -> T {
        json(self.get(path).await).await
    }

    pub async fn current(&self) -> AuthResponse {
        self.get_json(paths::CURRENT_SESSION).await
    }

    /// Asserts that this browser's next request is refused with 401 and `code`.
    pub async fn assert_signed_out(&self, code: ErrorCode) {
        assert_error(
            self.get(paths::CURRENT_SESSION).await,
            StatusCode::UNAUTHORIZED,
            code,
        )
        .await;
    }
}

/// Decodes a 2xx JSON body, failing the test with the body otherwise.
pub async fn json<T: DeserializeOwned>(response: reqwest::Response) -> T {
    let status = response.status();
    let text = response.text().await.unwrap();
    assert!(
        status.is_success(),
        "expected success, got {status}: {text}"
    );
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{error}: {text}"))
}

/// Asserts the status and the JSON error code of a refusal.
pub async fn assert_error(response: reqwest::Response, status: StatusCode, code: ErrorCode) {
    let actual = response.status();
    let content_type = response.headers().get("content-type").cloned();
    let text = response.text().await.unwrap();
    assert_eq!(actual, status, "body: {text}");
    assert_eq!(
        content_type,
        Some(HeaderValue::from_static("application/json")),
        "body: {text}"
    );
    let body: ErrorBody =
        serde_json::from_str(&text).unwrap_or_else(|error| panic!("{error}: {text}"));
    assert_eq!(body.error.code, code, "body: {text}");
}

/// Whether a response tells the browser to drop the session cookie.
pub fn clears_cookie(response: &reqwest::Response) -> bool {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .any(|value| {
            value.contains("hallpass_session=")
                && (value.contains("Max-Age=0") || value.contains("1970"))
        })
}

/// Instantiates `async fn name(backend: CacheBackend)` once per backend, as
/// `memory::name`, `redis::name` and `postgres::name`.
#[macro_export]
macro_rules! on_every_backend {
    ($($test:ident),* $(,)?) => {
        mod memory {
            $( #[tokio::test] async fn $test() { super::$test(hallpass_server::config::CacheBackend::Memory).await } )*
        }
        mod redis {
            $( #[tokio::test] async fn $test() { super::$test(hallpass_server::config::CacheBackend::Redis).await } )*
        }
        mod postgres {
            $( #[tokio::test] async fn $test() { super::$test(hallpass_server::config::CacheBackend::Postgres).await } )*
        }
    };
}
