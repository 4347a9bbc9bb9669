//! The `hallpass` binary's administrative commands, run as an operator would.

use std::{
    io::Write as _,
    process::{Command, Output, Stdio},
};

use hallpass_server::config::CacheBackend;
use hallpass_shared::{AuthResponse, LoginRequest, paths};

use crate::support::{TestApp, json, spawn_app};

fn hallpass(app: &TestApp, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hallpass"))
        .args(args)
        .env("DATABASE_URL", &app.db.url)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

async fn can_log_in(app: &TestApp, email: &str, password: &str) -> AuthResponse {
    let body = LoginRequest {
        email: email.into(),
        password: password.into(),
        token: false,
        shared_device: false,
    };
    json(app.anonymous().post_json(paths::LOGIN, &body).await).await
}

#[tokio::test]
async fn user_add_reads_the_password_from_stdin() {
    let app = spawn_app(CacheBackend::Memory).await;
    let args = [
        "user",
        "add",
        "--email",
        "Ada@School.example.org",
        "--name",
        "Ada",
        "--role",
        "teacher",
        "--password-stdin",
    ];
    let added = hallpass(&app, &args, "a long enough password\n");
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let user = can_log_in(&app, "ada@school.example.org", "a long enough password")
        .await
        .user;
    assert_eq!(user.role, hallpass_shared::Role::Teacher);

    let again = hallpass(&app, &args, "a long enough password\n");
    assert!(!again.status.success(), "duplicate emails are refused");
    let weak = hallpass(
        &app,
        &[
            "user",
            "add",
            "--email",
            "b@school.example.org",
            "--name",
            "B",
            "--role",
            "student",
            "--password-stdin",
        ],
        "short\n",
    );
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("at least 10 characters"));
}

#[tokio::test]
async fn demo_prints_working_credentials_for_each_role() {
    let app = spawn_app(CacheBackend::Memory).await;
    let demo = hallpass(&app, &["demo"], "");
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let printed = String::from_utf8(demo.stdout).unwrap();
    let accounts: Vec<(String, String)> = printed
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            (fields.len() == 3 && fields[1].contains('@'))
                .then(|| (fields[1].to_owned(), fields[2].to_owned()))
        })
        .collect();
    assert_eq!(accounts.len(), 3, "{printed}");
    for (email, password) in accounts {
        can_log_in(&app, &email, &password).await;
    }
}

#[tokio::test]
async fn sessions_purge_removes_expired_rows_only() {
    let app = spawn_app(CacheBackend::Memory).await;
    let gone = app.student().await;
    let kept = app.student().await;
    app.execute(&format!(
        "UPDATE user_sessions SET created = now() - interval '40 days', last_seen_at = now() - interval '40 days', \
         expires_at = now() - interval '10 days' WHERE user_id = '{}'",
        gone.id
    ))
    .await;
    let purged = hallpass(&app, &["sessions", "purge"], "");
    assert!(
        purged.status.success(),
        "{}",
        String::from_utf8_lossy(&purged.stderr)
    );
    assert!(String::from_utf8_lossy(&purged.stdout).contains("purged 1 expired session"));
    assert!(app.session_rows(&gone).await.is_empty());
    assert_eq!(app.session_rows(&kept).await.len(), 1);
    assert!(
        !app.events_of_kind(&gone, "session_created")
            .await
            .is_empty(),
        "the audit trail stays"
    );
}

/// `AUDIT_RETENTION`: events older than it go, younger ones stay, and the trail is still
/// append-only for everyone but the purge. Several batches of each (500 rows).
#[tokio::test]
async fn sessions_purge_deletes_audit_events_past_their_retention_only() {
    let app = spawn_app(CacheBackend::Memory).await;
    let student = app.student().await;
    app.execute(&format!(
        "INSERT INTO session_events (at, user_id, kind) \
         SELECT now() - (n % 60 + 1) * interval '1 day' + interval '12 hours', '{}', 'login_failed' \
         FROM generate_series(1, 3000) n",
        student.id
    ))
    .await;
    app.execute(&format!(
        "INSERT INTO user_sessions (user_id, token_hash, ip_address, user_agent, device, browser, \
             os, created, last_seen_at, expires_at) \
         SELECT '{}', encode(sha256(n::text::bytea), 'hex'), '192.0.2.1', 'curl/8', 'unknown', \
                'curl', 'Linux', now() - interval '40 days', now() - interval '40 days', \
                now() - (n % 7) * interval '1 day' + interval '1 hour' \
         FROM generate_series(1, 3500) n",
        student.id
    ))
    .await;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_hallpass"))
        .args(["sessions", "purge"])
        .env("DATABASE_URL", &app.db.url)
        .env("AUDIT_RETENTION", "30d")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let status = child.wait().unwrap();
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut out).unwrap();
    assert!(status.success());
    assert!(
        out.contains("purged 3000 expired session(s), 1500 audit event(s)"),
        "{out}"
    );
    let failed = app.events_of_kind(&student, "login_failed").await;
    assert_eq!(failed.len(), 1500, "the last 30 days stay");
    let left = app
        .rows("SELECT count(*) AS n FROM user_sessions WHERE expires_at > now()")
        .await;
    assert_eq!(
        left[0]["n"],
        500 + 1,
        "unexpired sessions stay (the student's login too)"
    );

    let mut conn = app.state.domain.store.pool().get().await.unwrap();
    let deleted = diesel_async::RunQueryDsl::execute(
        diesel::sql_query("DELETE FROM session_events"),
        &mut conn,
    )
    .await;
    assert!(deleted.is_err(), "anyone else's delete is refused");
}
