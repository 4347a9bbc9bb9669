//! Approximate locations (`GEOIP_DB`): each new session records the country of a public
//! address, from the CC0 country database the test command installs from npm (the
//! `@ip-location-db/geo-whois-asn-country-mmdb` package in `e2e/`); private addresses
//! and servers without a database record nothing; SIGHUP re-reads the file.

use std::path::PathBuf;

use hallpass_server::config::{CacheBackend, Settings};
use hallpass_shared::{
    AuthResponse, Location, Page, Role, SessionEventView, SessionList, SessionView, paths,
};

use crate::support::{SECRET, TestApp, TestUser, server_process::ServerProcess, spawn_app_with};

/// Where the test command's `npm ci --prefix e2e` puts the database.
fn database(file: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../e2e/node_modules/@ip-location-db/geo-whois-asn-country-mmdb")
        .join(file);
    assert!(
        path.exists(),
        "{} is missing: run `npm ci --prefix e2e` (scripts/test.sh does)",
        path.display()
    );
    path
}

/// Addresses whose country the database gives (checked against it by hand when the
/// package was pinned) and one it must never be asked about.
const FRENCH: &str = "90.0.0.1";
const AMERICAN: &str = "8.8.8.8";
const FRENCH_V6: &str = "2a01:cb00::1";
/// The database gives 192.168.1.1 a country (AU): private addresses are never looked up.
const PRIVATE: &str = "192.168.1.1";

fn behind_a_proxy(settings: &mut Settings) {
    settings.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
}

async fn app_with_database() -> TestApp {
    spawn_app_with(CacheBackend::Redis, |settings| {
        behind_a_proxy(settings);
        settings.geoip_db = Some(database("geo-whois-asn-country.mmdb"));
    })
    .await
}

async fn login_from(user: &TestUser, address: &str) -> SessionView {
    let answer: AuthResponse = user.login_through(&[("x-forwarded-for", address)]).await;
    answer.session
}

fn country(code: &str) -> Option<Location> {
    Some(Location {
        country: code.into(),
        region: None,
        city: None,
    })
}

#[tokio::test]
async fn sessions_record_the_country_of_public_addresses_only() {
    let app = app_with_database().await;
    for (address, expected) in [
        (FRENCH, country("FR")),
        (AMERICAN, country("US")),
        (FRENCH_V6, country("FR")),
        (PRIVATE, None),
        ("127.0.0.1", None),
    ] {
        let student = app.user(Role::Student).await;
        let session = login_from(&student, address).await;
        assert_eq!(session.location, expected, "{address}");
        // The same, read back from the database and from the cache.
        let listed: SessionList = student.get_json(paths::SESSIONS).await;
        assert_eq!(listed.sessions[0].location, expected, "{address}");
        assert_eq!(student.current().await.session.location, expected);
    }
}

#[tokio::test]
async fn the_admin_and_the_activity_list_see_the_location() {
    let app = app_with_database().await;
    let student = app.user(Role::Student).await;
    let session = login_from(&student, FRENCH).await;
    let admin = app.logged_in(Role::Admin).await;
    let seen: SessionList = admin
        .get_json(&paths::admin_user_sessions(student.id))
        .await;
    assert_eq!(seen.sessions[0].id, session.id);
    assert_eq!(seen.sessions[0].location, country("FR"));
    let activity: Page<SessionEventView> = student.get_json(paths::OWN_EVENTS).await;
    let sign_in = activity
        .items
        .iter()
        .find(|event| event.kind == hallpass_shared::EventKind::LoginSucceeded)
        .expect("a login_succeeded event");
    assert_eq!(sign_in.location, country("FR"));
}

#[tokio::test]
async fn without_a_database_nothing_is_located() {
    let app = spawn_app_with(CacheBackend::Memory, behind_a_proxy).await;
    let student = app.user(Role::Student).await;
    assert_eq!(login_from(&student, FRENCH).await.location, None);
}

#[tokio::test]
async fn an_unreadable_database_stops_the_start_up() {
    let app = spawn_app_with(CacheBackend::Memory, |_| {}).await;
    let not_a_database = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    for path in [PathBuf::from("/nonexistent/geo.mmdb"), not_a_database] {
        let refused = app
            .instance_with(|settings| settings.geoip_db = Some(path.clone()))
            .await
            .expect_err("started without its GeoIP database");
        assert!(refused.to_string().contains("GEOIP_DB"), "{refused:#}");
    }
}

/// The server starts on the IPv4-only release of the database, which cannot place an
/// IPv6 address; the file is replaced by the full one, SIGHUP, and the next session from
/// that address is placed. A file that no longer reads keeps the database in use.
#[tokio::test]
async fn sighup_reloads_the_database_without_a_restart() {
    let app = spawn_app_with(CacheBackend::Memory, |_| {}).await;
    let dir = std::env::temp_dir().join(format!("hallpass-geoip-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let live = dir.join("country.mmdb");
    std::fs::copy(database("geo-whois-asn-country-ipv4.mmdb"), &live).unwrap();
    let server = ServerProcess::start(&[
        ("DATABASE_URL", app.db.url.as_str()),
        ("SESSION_SECRET", SECRET),
        ("TRUSTED_PROXIES", "127.0.0.0/8"),
        ("GEOIP_DB", live.to_str().unwrap()),
    ])
    .await;
    let on_binary = |user: &TestUser| app.via(user, &server.url());

    let before = on_binary(&app.user(Role::Student).await);
    assert_eq!(login_from(&before, FRENCH_V6).await.location, None);
    assert_eq!(login_from(&before, FRENCH).await.location, country("FR"));

    std::fs::copy(database("geo-whois-asn-country.mmdb"), &live).unwrap();
    server.hang_up();
    server.log_line("GeoIP database reloaded").await;
    let after = on_binary(&app.user(Role::Student).await);
    assert_eq!(login_from(&after, FRENCH_V6).await.location, country("FR"));

    std::fs::write(&live, b"not a database").unwrap();
    server.hang_up();
    server.log_line("GeoIP database kept as it was").await;
    let still = on_binary(&app.user(Role::Student).await);
    assert_eq!(login_from(&still, FRENCH_V6).await.location, country("FR"));
    std::fs::remove_dir_all(&dir).unwrap();
}
