//! Session hardening (OWASP ASVS V7): refusals that cannot flood the audit trail, and
//! headers every answer carries.

use hallpass_server::config::{CacheBackend, ProxyHeader};
use hallpass_shared::{ErrorCode, PasswordChange, Role, SessionList, paths};
use reqwest::StatusCode;

use crate::support::{PASSWORD, assert_error, clears_cookie, spawn_app, spawn_app_with};

/// Replaying a dead cookie is counted on every request but audited once a minute.
async fn a_replayed_dead_cookie_is_audited_once_a_minute(backend: CacheBackend) {
    let app = spawn_app(backend).await;
    let student = app.student().await;
    let cookie = student.cookie().unwrap();
    assert_eq!(
        student.post(paths::LOGOUT).await.status(),
        StatusCode::NO_CONTENT
    );
    for _ in 0..20 {
        student.set_cookie(&cookie);
        student.assert_signed_out(ErrorCode::SessionRevoked).await;
    }
    let audited = app.events_of_kind(&student, "validation_failed").await;
    assert_eq!(audited.len(), 1, "{audited:#?}");
    let metrics = app
        .anonymous()
        .get(paths::METRICS)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(
            r#"hallpass_session_validations_total{outcome="revoked",source="database"} 20"#
        ),
        "{metrics}"
    );
}

/// `X-Content-Type-Options: nosniff` on every answer: JSON, errors, probes, metrics.
#[tokio::test]
async fn every_answer_says_nosniff() {
    let app = spawn_app(CacheBackend::Memory).await;
    let anonymous = app.anonymous();
    for path in [
        paths::HEALTHZ,
        paths::READYZ,
        paths::METRICS,
        paths::OPENAPI,
        paths::CURRENT_SESSION,
        "/api/no-such-route",
    ] {
        let response = anonymous.get(path).await;
        assert_eq!(
            response.headers()["x-content-type-options"],
            "nosniff",
            "{path}"
        );
    }
}

/// Behind a proxy that appends `X-Forwarded-For` (nginx's `$proxy_add_x_forwarded_for`),
/// the hop it appended is the client, whatever `Forwarded` or earlier hops the client
/// forged; with `TRUSTED_PROXY_HEADER=forwarded` only `Forwarded` counts.
#[tokio::test]
async fn only_the_configured_proxy_header_names_the_client() {
    for (header, expected) in [
        (ProxyHeader::XForwardedFor, "203.0.113.9"),
        (ProxyHeader::Forwarded, "198.51.100.1"),
    ] {
        let app = spawn_app_with(CacheBackend::Memory, |settings| {
            settings.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
            settings.trusted_proxy_header = header;
        })
        .await;
        let user = app.user(Role::Student).await;
        let answer = user
            .login_through(&[
                ("x-forwarded-for", "6.6.6.6, 203.0.113.9"),
                ("forwarded", "for=198.51.100.1"),
            ])
            .await;
        assert_eq!(answer.session.ip_address, expected, "{header:?}");
    }
}

/// Secure cookies mean HTTPS: every answer then tells the browser to stay on HTTPS.
#[tokio::test]
async fn strict_transport_security_comes_with_secure_cookies() {
    for secure in [true, false] {
        let app = spawn_app_with(CacheBackend::Memory, |settings| {
            settings.cookie_secure = secure;
        })
        .await;
        let user = app.user(Role::Student).await;
        let login = user.login_with(PASSWORD).await;
        let cookie = login.headers()["set-cookie"].to_str().unwrap().to_owned();
        assert_eq!(cookie.contains("; Secure"), secure, "{cookie}");
        for response in [login, app.anonymous().get(paths::HEALTHZ).await] {
            let hsts = response.headers().get("strict-transport-security");
            assert_eq!(
                hsts.map(|value| value.to_str().unwrap()),
                secure.then_some("max-age=31536000"),
            );
        }
    }
}

/// A hop with a port or in brackets is read; an unreadable one ends the walk at the last
/// trusted hop (the proxy itself here), never at an address the client wrote before it.
#[tokio::test]
async fn forwarded_hops_are_read_whole_or_not_believed() {
    let app = spawn_app_with(CacheBackend::Memory, |settings| {
        settings.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
    })
    .await;
    let user = app.user(Role::Student).await;
    for (hops, expected) in [
        ("6.6.6.6, 1.1.1.1:4444", "1.1.1.1"),
        ("6.6.6.6, [2001:db8::1]:443", "2001:db8::1"),
        ("6.6.6.6, unknown", "127.0.0.1"),
        ("6.6.6.6, ::ffff:203.0.113.77", "203.0.113.77"),
    ] {
        let answer = user.login_through(&[("x-forwarded-for", hops)]).await;
        assert_eq!(answer.session.ip_address, expected, "{hops}");
    }
}

/// A password change gives the browser that made it a new token: its old cookie is
/// refused afterwards, and it carries on in a new session.
async fn a_password_change_issues_a_new_token(backend: CacheBackend) {
    let app = spawn_app(backend).await;
    let laptop = app.student().await;
    let before = laptop.current().await.session;
    let old_cookie = laptop.cookie().unwrap();
    let change = PasswordChange {
        current_password: PASSWORD.into(),
        new_password: "a much better passphrase".into(),
    };
    assert_eq!(
        laptop.post_json(paths::PASSWORD, &change).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_ne!(laptop.cookie().unwrap(), old_cookie);
    let after = laptop.current().await.session;
    assert_ne!(after.id, before.id);
    let sessions: SessionList = laptop.get_json(paths::SESSIONS).await;
    assert_eq!(sessions.sessions.len(), 1);
    assert!(sessions.sessions[0].is_current);

    let replay = laptop.new_browser();
    replay.set_cookie(&old_cookie);
    replay.assert_signed_out(ErrorCode::SessionRevoked).await;
    replay.set_cookie(&old_cookie);
    assert_error(
        replay.post(paths::ENSURE_SESSION).await,
        StatusCode::UNAUTHORIZED,
        ErrorCode::SessionRevoked,
    )
    .await;
}

crate::on_every_backend!(
    a_replayed_dead_cookie_is_audited_once_a_minute,
    a_password_change_issues_a_new_token,
);

/// A cookie planted beside the real one (by a sibling subdomain, say) neither shadows the
/// session nor gets it cleared, whichever comes first; two unreadable ones are refused.
#[tokio::test]
async fn a_planted_cookie_cannot_shadow_or_clear_the_session() {
    let app = spawn_app(CacheBackend::Memory).await;
    let student = app.student().await;
    let real = student.cookie().unwrap();
    let planted = "hallpass_session=planted-by-a-sibling";
    let stranger = app.anonymous();
    let send = |cookies: String| {
        stranger
            .client
            .get(stranger.url(paths::CURRENT_SESSION))
            .header("cookie", cookies)
            .send()
    };
    for cookies in [
        format!("{planted}; {real}"),
        format!("{real}; {planted}"),
        format!("theme=dark; {planted}; {real}"),
    ] {
        let response = send(cookies.clone()).await.unwrap();
        assert!(!clears_cookie(&response), "{cookies}");
        assert_eq!(response.status(), StatusCode::OK, "{cookies}");
    }
    let response = send(format!("{planted}; hallpass_session=another"))
        .await
        .unwrap();
    assert_error(
        response,
        StatusCode::UNAUTHORIZED,
        ErrorCode::SessionInvalid,
    )
    .await;
}
