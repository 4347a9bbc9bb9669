//! Sign-ins from new devices, "was this you?", and names for sessions.
//!
//! A sign-in is new when the account signed in neither from the same device kind,
//! browser family, OS family and country, nor with the same device cookie, in the last 90
//! days. The account's other sessions are asked about it; "no" signs it out.

use hallpass_server::{config::CacheBackend, domain::sessions::devices::family};
use hallpass_shared::{
    AuthResponse, ErrorCode, RenameSession, Role, SessionId, SessionList, SessionView, paths,
};
use reqwest::StatusCode;

use crate::support::{TestApp, TestUser, assert_error, spawn_app_with};

const FIREFOX_WINDOWS: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
/// The same browser and system a release later.
const FIREFOX_WINDOWS_UPDATED: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:134.0) Gecko/20100101 Firefox/134.0";
const SAFARI_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) \
    AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1";

async fn app() -> TestApp {
    spawn_app_with(CacheBackend::Redis, |settings| {
        settings.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
        settings.geoip_db = Some(
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../e2e/node_modules/@ip-location-db/geo-whois-asn-country-mmdb")
                .join("geo-whois-asn-country.mmdb"),
        );
    })
    .await
}

/// Signs `browser` in with `user_agent` from `address` (FR: 90.0.0.1, US: 8.8.8.8).
async fn sign_in(browser: &TestUser, user_agent: &str, address: &str) -> SessionView {
    let answer: AuthResponse = browser
        .login_through(&[("user-agent", user_agent), ("x-forwarded-for", address)])
        .await;
    answer.session
}

#[tokio::test]
async fn a_sign_in_is_new_unless_its_platform_and_country_were_seen() {
    let app = app().await;
    let user = app.user(Role::Student).await;
    let first = sign_in(&user, FIREFOX_WINDOWS, "90.0.0.1").await;
    assert!(
        first.new_device,
        "an account's first sign-in is from a new device"
    );
    // Other browsers (no device cookie): same platform and country, a newer release.
    let again = sign_in(&user.new_browser(), FIREFOX_WINDOWS_UPDATED, "90.0.0.2").await;
    assert!(!again.new_device, "a browser update is the same device");
    let abroad = sign_in(&user.new_browser(), FIREFOX_WINDOWS, "8.8.8.8").await;
    assert!(abroad.new_device, "same device, other country");
    let phone = sign_in(&user.new_browser(), SAFARI_IPHONE, "90.0.0.1").await;
    assert!(phone.new_device, "another device kind, browser and system");
    let listed: SessionList = user.get_json(paths::SESSIONS).await;
    let flags: Vec<bool> = listed.sessions.iter().map(|s| s.new_device).collect();
    assert_eq!(flags, [true, true, false, true], "newest first");
    let marked = app.events_of_kind(&user, "login_succeeded").await;
    let marks: Vec<bool> = marked.iter().map(|e| e["new_device"] == true).collect();
    assert_eq!(marks, [true, false, true, true]);
}

#[tokio::test]
async fn a_device_is_forgotten_after_90_days() {
    let app = app().await;
    let user = app.user(Role::Student).await;
    sign_in(&user, FIREFOX_WINDOWS, "90.0.0.1").await;
    let age = |days: u32| {
        format!(
            "UPDATE known_devices SET last_seen_at = now() - interval '{days} days' \
             WHERE user_id = '{}'",
            user.id
        )
    };
    app.execute(&age(89)).await;
    let within = sign_in(&user.new_browser(), FIREFOX_WINDOWS, "90.0.0.1").await;
    assert!(!within.new_device, "seen 89 days ago");
    app.execute(&age(91)).await;
    let after = sign_in(&user.new_browser(), FIREFOX_WINDOWS, "90.0.0.1").await;
    assert!(after.new_device, "seen 91 days ago");
}

#[tokio::test]
async fn the_same_device_cookie_is_not_a_new_device() {
    let app = app().await;
    let user = app.user(Role::Student).await;
    assert!(sign_in(&user, FIREFOX_WINDOWS, "90.0.0.1").await.new_device);
    // The same browser (its device cookie) signing in again from elsewhere, another agent.
    let same_cookie = sign_in(&user, SAFARI_IPHONE, "8.8.8.8").await;
    assert!(!same_cookie.new_device);
    // Its device cookie does not vouch for another account.
    let other = app.user(Role::Student).await;
    sign_in(&other, FIREFOX_WINDOWS, "90.0.0.1").await;
    let other_in_that_browser = user.typing(&other.email);
    let session = sign_in(&other_in_that_browser, SAFARI_IPHONE, "8.8.8.8").await;
    assert!(session.new_device);
}

#[tokio::test]
async fn the_other_sessions_are_asked_once_and_yes_is_audited() {
    let app = app().await;
    let laptop = app.user(Role::Teacher).await;
    sign_in(&laptop, FIREFOX_WINDOWS, "90.0.0.1").await;
    let phone = laptop.new_browser();
    let new = sign_in(&phone, SAFARI_IPHONE, "8.8.8.8").await;
    assert!(new.new_device);

    let asked: SessionList = laptop.get_json(paths::NEW_DEVICE_SESSIONS).await;
    assert_eq!(ids(&asked), [new.id]);
    let own: SessionList = phone.get_json(paths::NEW_DEVICE_SESSIONS).await;
    assert!(
        !ids(&own).contains(&new.id),
        "a session is not asked about itself"
    );

    let answered = laptop.post(&paths::confirm_session(new.id)).await;
    assert_eq!(answered.status(), StatusCode::NO_CONTENT);
    let asked: SessionList = laptop.get_json(paths::NEW_DEVICE_SESSIONS).await;
    assert!(asked.sessions.is_empty());
    // Answered in another tab already: nothing left to answer.
    assert_error(
        laptop.post(&paths::confirm_session(new.id)).await,
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
    assert_eq!(phone.current().await.session.id, new.id, "still signed in");
    let confirmed = app.events_of_kind(&laptop, "new_device_confirmed").await;
    assert_eq!(confirmed.len(), 1);
    assert_eq!(confirmed[0]["session_id"], new.id.to_string());
}

#[tokio::test]
async fn no_signs_the_session_out_at_once() {
    let app = app().await;
    let laptop = app.user(Role::Student).await;
    sign_in(&laptop, FIREFOX_WINDOWS, "90.0.0.1").await;
    let intruder = laptop.new_browser();
    let new = sign_in(&intruder, SAFARI_IPHONE, "8.8.8.8").await;
    // Nobody else may answer for it.
    let stranger = app.student().await;
    assert_error(
        stranger.post(&paths::deny_session(new.id)).await,
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;

    let denied = laptop.post(&paths::deny_session(new.id)).await;
    assert_eq!(denied.status(), StatusCode::NO_CONTENT);
    intruder.assert_signed_out(ErrorCode::SessionRevoked).await;
    assert_eq!(
        app.events_of_kind(&laptop, "new_device_denied").await.len(),
        1
    );
    let revoked = app.events_of_kind(&laptop, "session_revoked").await;
    assert_eq!(revoked.len(), 1);
    assert_eq!(revoked[0]["detail"]["reason"], "user");
    assert_eq!(revoked[0]["detail"]["by"], laptop.id.to_string());
    assert_error(
        laptop.post(&paths::deny_session(new.id)).await,
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
}

#[tokio::test]
async fn a_session_can_be_named_by_its_owner_only() {
    let app = app().await;
    let user = app.student().await;
    let id = user.current().await.session.id;
    let renamed = rename(&user, id, Some("  School laptop ")).await;
    assert_eq!(renamed.status(), StatusCode::OK);
    let view: SessionView = renamed.json().await.unwrap();
    assert_eq!(view.name.as_deref(), Some("School laptop"));
    assert_eq!(
        user.current().await.session.name.as_deref(),
        Some("School laptop"),
        "the cached copy is not stale"
    );
    let admin = app.logged_in(Role::Admin).await;
    let seen: SessionList = admin.get_json(&paths::admin_user_sessions(user.id)).await;
    assert_eq!(seen.sessions[0].name.as_deref(), Some("School laptop"));

    for refused in ["x".repeat(41), "tab\there".to_owned()] {
        assert_error(
            rename(&user, id, Some(&refused)).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::Validation,
        )
        .await;
    }
    let stranger = app.student().await;
    assert_error(
        rename(&stranger, id, Some("mine now")).await,
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;

    let cleared: SessionView = rename(&user, id, Some("   ")).await.json().await.unwrap();
    assert_eq!(cleared.name, None);
    let renames = app.events_of_kind(&user, "session_renamed").await;
    assert_eq!(renames.len(), 2);
    assert_eq!(renames[0]["detail"]["name"]["to"], "School laptop");
    assert_eq!(renames[1]["detail"]["name"]["from"], "School laptop");
    assert!(renames[1]["detail"]["name"]["to"].is_null());
}

/// The migration that created `known_devices` filled it from existing sessions with
/// families computed in SQL; they must be the ones the server computes.
#[tokio::test]
async fn the_migrations_families_are_the_servers() {
    let app = app().await;
    for label in [
        "Chrome 131.0.6778.81",
        "Mac OSX 10.15.7",
        "Windows 10",
        "Firefox",
        "Unknown",
        "Windows Phone OS",
        "iPhone 17.1",
    ] {
        let rows = app
            .rows(&format!(
                "SELECT regexp_replace('{label}', ' [0-9][^ ]*$', '') AS family"
            ))
            .await;
        assert_eq!(rows[0]["family"], family(label), "{label}");
    }
}

async fn rename(user: &TestUser, id: SessionId, name: Option<&str>) -> reqwest::Response {
    let body = RenameSession {
        name: name.map(str::to_owned),
    };
    user.client
        .patch(user.url(&paths::session(id)))
        .json(&body)
        .send()
        .await
        .unwrap()
}

fn ids(list: &SessionList) -> Vec<SessionId> {
    list.sessions.iter().map(|session| session.id).collect()
}

#[tokio::test]
async fn a_new_device_cannot_answer_for_itself() {
    let app = app().await;
    let laptop = app.user(Role::Student).await;
    sign_in(&laptop, FIREFOX_WINDOWS, "90.0.0.1").await;
    let intruder = laptop.new_browser();
    let new = sign_in(&intruder, SAFARI_IPHONE, "8.8.8.8").await;
    for path in [paths::confirm_session(new.id), paths::deny_session(new.id)] {
        assert_error(
            intruder.post(&path).await,
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
        )
        .await;
    }
    let asked: SessionList = laptop.get_json(paths::NEW_DEVICE_SESSIONS).await;
    assert_eq!(ids(&asked), [new.id], "the owner is still asked");
}

#[tokio::test]
async fn after_no_the_same_intruder_signing_in_again_is_still_new() {
    let app = app().await;
    let laptop = app.user(Role::Student).await;
    sign_in(&laptop, FIREFOX_WINDOWS, "90.0.0.1").await;
    let intruder = laptop.new_browser();
    let first = sign_in(&intruder, SAFARI_IPHONE, "8.8.8.8").await;
    assert!(first.new_device);
    // Unanswered, a second sign-in from the same platform is still new.
    assert!(
        sign_in(&laptop.new_browser(), SAFARI_IPHONE, "8.8.8.8")
            .await
            .new_device
    );
    assert_eq!(
        laptop.post(&paths::deny_session(first.id)).await.status(),
        StatusCode::NO_CONTENT
    );
    // Same browser (its device cookie), same agent, same country.
    let again = sign_in(&intruder, SAFARI_IPHONE, "8.8.8.8").await;
    assert!(
        again.new_device,
        "what the denied sign-in was recognised by is forgotten"
    );

    // "Yes" learns the device at once.
    assert_eq!(
        laptop
            .post(&paths::confirm_session(again.id))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert!(
        !sign_in(&laptop.new_browser(), SAFARI_IPHONE, "8.8.8.8")
            .await
            .new_device
    );
}

#[tokio::test]
async fn renames_cannot_flood_the_audit_trail() {
    let app = app().await;
    let user = app.student().await;
    let id = user.current().await.session.id;
    let mut statuses = Vec::new();
    for n in 0..15 {
        statuses.push(
            rename(&user, id, Some(&format!("Laptop {n}")))
                .await
                .status(),
        );
    }
    assert!(
        statuses[..10]
            .iter()
            .all(|status| *status == StatusCode::OK)
    );
    let refused = rename(&user, id, Some("One more")).await;
    assert!(refused.headers().contains_key("retry-after"));
    assert_error(
        refused,
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::RateLimited,
    )
    .await;
    assert_eq!(app.events_of_kind(&user, "session_renamed").await.len(), 10);
    assert_eq!(
        user.current().await.session.name.as_deref(),
        Some("Laptop 9")
    );
}
