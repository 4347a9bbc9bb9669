//! The log as operators read it, from the `hallpass` binary: every line written while
//! serving a request carries the request's id (the `x-request-id` it answered), and the
//! user and session once the session is known; the closing line gives method, route,
//! status and latency. In text and in JSON.

use hallpass_server::config::CacheBackend;
use hallpass_shared::{AuthResponse, Role, paths};
use reqwest::StatusCode;

use crate::support::{SECRET, server_process::ServerProcess, spawn_app};

/// What one login and one validation through the binary logged with `LOG_FORMAT=format`:
/// the log, the request id of the validation, and what it answered.
async fn log_of_a_validation(format: &str) -> (String, String, AuthResponse) {
    let app = spawn_app(CacheBackend::Memory).await;
    let student = app.user(Role::Student).await;
    let mut server = ServerProcess::start(&[
        ("DATABASE_URL", app.db.url.as_str()),
        ("SESSION_SECRET", SECRET),
        ("LOG_FORMAT", format),
    ])
    .await;
    let on_binary = app.via(&student, &server.url());
    on_binary.login().await;
    let validated = on_binary.get(paths::CURRENT_SESSION).await;
    assert_eq!(validated.status(), StatusCode::OK);
    let request_id = validated.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let current: AuthResponse = validated.json().await.unwrap();
    assert!(server.terminate().await.success());
    let log = std::fs::read_to_string(&server.log).unwrap();
    (log, request_id, current)
}

fn line_with<'a>(log: &'a str, needle: &str) -> &'a str {
    log.lines()
        .find(|line| line.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle} in:\n{log}"))
}

#[tokio::test]
async fn text_lines_carry_the_request_and_its_session() {
    let (log, request_id, current) = log_of_a_validation("text").await;
    let line = line_with(&log, &request_id);
    let expected = format!(
        " INFO request{{request_id={request_id} user.id={} session.id={}}}: \
         hallpass_server::middleware::request_log: method=\"GET\" route=\"/api/auth/session\" \
         status=200 latency_ms=",
        current.user.id, current.session.id
    );
    assert!(line.contains(&expected), "{line}");
    let timestamp = line.split(' ').next().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(timestamp).is_ok(),
        "{line}"
    );
    // A line written inside a handler's own span, before any session was known.
    let logged_in = line_with(&log, "logged in");
    assert!(
        logged_in.contains(" INFO request{request_id=") && logged_in.contains("}:login: "),
        "{logged_in}"
    );
}

#[tokio::test]
async fn json_lines_carry_the_request_and_its_session() {
    let (log, request_id, current) = log_of_a_validation("json").await;
    let line: serde_json::Value = serde_json::from_str(line_with(&log, &request_id)).unwrap();
    assert_eq!(line["level"], "INFO");
    assert_eq!(line["target"], "hallpass_server::middleware::request_log");
    assert_eq!(line["request_id"], request_id.as_str());
    assert_eq!(line["user.id"], current.user.id.to_string());
    assert_eq!(line["session.id"], current.session.id.to_string());
    assert_eq!(line["fields"]["method"], "GET");
    assert_eq!(line["fields"]["route"], "/api/auth/session");
    assert_eq!(line["fields"]["status"], 200);
    assert!(line["fields"]["latency_ms"].is_f64(), "{line}");
    let timestamp = line["timestamp"].as_str().unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(timestamp).is_ok());
    let logged_in: serde_json::Value =
        serde_json::from_str(line_with(&log, "\"logged in\"")).unwrap();
    assert_eq!(logged_in["spans"][0]["name"], "login");
    assert!(logged_in["request_id"].is_string(), "{logged_in}");
    // Every line is one JSON object, those the `log` crate bridged (actix) included.
    for line in log.lines() {
        let parsed: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(parsed["target"].is_string(), "{line}");
    }
}
