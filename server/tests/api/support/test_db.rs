//! One database per test, cloned from a template migrated once per migration set.
//!
//! The template is named after a hash of the migrations, so a changed migration never
//! meets a stale template. Creating it takes an advisory lock, so parallel test
//! processes don't race. Each test database carries the creating process id; databases
//! of processes that no longer exist (crashed runs) are swept when the template is
//! first used. `Drop` removes the test's database with `WITH (FORCE)`.

use std::sync::OnceLock;

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use sha2::{Digest, Sha256};

const TEMPLATE_LOCK: i64 = 0x4841_4c4c_5041_5353; // "HALLPASS"

pub fn maintenance_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

fn url_for(database: &str) -> String {
    let base = maintenance_url();
    let (head, _) = base
        .rsplit_once('/')
        .expect("TEST_DATABASE_URL names a database");
    format!("{head}/{database}")
}

pub struct TestDatabase {
    name: String,
    pub url: String,
}

impl TestDatabase {
    pub async fn new() -> Self {
        let template = template().await;
        let name = format!(
            "hallpass_test_{}_{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        );
        let mut conn = AsyncPgConnection::establish(&maintenance_url())
            .await
            .expect("connect to maintenance db");
        diesel::sql_query(format!("CREATE DATABASE {name} TEMPLATE {template}"))
            .execute(&mut conn)
            .await
            .expect("clone the template database");
        Self {
            url: url_for(&name),
            name,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop runs inside the test's runtime: do the async work on a thread of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(drop_database(&name))
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop test database {}", self.name);
        }
    }
}

async fn drop_database(name: &str) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut conn = AsyncPgConnection::establish(&maintenance_url()).await?;
    diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut conn)
        .await?;
    Ok(())
}

/// The template's name, creating and migrating it on first use.
async fn template() -> String {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    if let Some(name) = TEMPLATE.get() {
        return name.clone();
    }
    let name = format!("hallpass_tpl_{}", &migrations_hash()[..16]);
    let mut conn = AsyncPgConnection::establish(&maintenance_url())
        .await
        .expect("connect to maintenance db");
    diesel::sql_query(format!("SELECT pg_advisory_lock({TEMPLATE_LOCK})"))
        .execute(&mut conn)
        .await
        .expect("template lock");
    if TEMPLATE.get().is_none() {
        if !database_exists(&mut conn, &name).await {
            diesel::sql_query(format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .expect("create template");
        }
        // Also finishes a template whose creator crashed half-way.
        hallpass_server::db::migrate(&url_for(&name))
            .await
            .expect("migrate template");
        sweep_leftovers(&mut conn).await;
        let _ = TEMPLATE.set(name.clone());
    }
    diesel::sql_query(format!("SELECT pg_advisory_unlock({TEMPLATE_LOCK})"))
        .execute(&mut conn)
        .await
        .expect("template unlock");
    name
}

#[derive(diesel::QueryableByName)]
struct Name {
    #[diesel(sql_type = diesel::sql_types::Text)]
    datname: String,
}

async fn database_exists(conn: &mut AsyncPgConnection, name: &str) -> bool {
    let found: Vec<Name> = diesel::sql_query("SELECT datname FROM pg_database WHERE datname = $1")
        .bind::<diesel::sql_types::Text, _>(name)
        .load(conn)
        .await
        .expect("list databases");
    !found.is_empty()
}

/// Drops test databases left behind by processes that no longer run.
async fn sweep_leftovers(conn: &mut AsyncPgConnection) {
    let leftovers: Vec<Name> = diesel::sql_query(
        "SELECT datname FROM pg_database WHERE datname LIKE 'hallpass\\_test\\_%'",
    )
    .load(conn)
    .await
    .unwrap_or_default();
    for Name { datname } in leftovers {
        let pid = datname
            .split('_')
            .nth(2)
            .and_then(|pid| pid.parse::<u32>().ok());
        let alive = pid.is_some_and(|pid| std::path::Path::new(&format!("/proc/{pid}")).exists());
        if !alive {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {datname} WITH (FORCE)"))
                .execute(conn)
                .await;
        }
    }
}

fn migrations_hash() -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    let mut files: Vec<_> = walk(&root);
    files.sort();
    let mut hasher = Sha256::new();
    for file in files {
        let relative = file.strip_prefix(&root).unwrap_or(&file);
        hasher.update(relative.to_string_lossy().as_bytes());
        hasher.update(std::fs::read(&file).expect("read migration"));
    }
    hex::encode(hasher.finalize())
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .expect("read migrations dir")
        .flatten()
        .flat_map(|entry| {
            let path = entry.path();
            if path.is_dir() {
                walk(&path)
            } else {
                vec![path]
            }
        })
        .collect()
}
