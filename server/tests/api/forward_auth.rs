//! An app of the platform behind a real nginx (`auth_request`) and a real Caddy
//! (`forward_auth`), configured as `docs/INTEGRATION.md` shows: the app sees who is
//! calling in the identity headers, whatever the client claimed; a signed-out browser is
//! sent to Hallpass's sign-in page and an API call refused; a signed-out or revoked
//! session is refused at its next request.

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use hallpass_server::config::CacheBackend;
use hallpass_shared::{Role, paths};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

use crate::support::{
    TestApp, caddy::PrivateCaddy, free_port, nginx::PrivateNginx, spawn_app_with,
};

/// The app: answers every path with the identity headers it was given.
fn start_app() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let server = HttpServer::new(|| {
        App::new().default_service(web::to(|req: HttpRequest| async move {
            let header = |name: &str| {
                req.headers()
                    .get(name)
                    .map(|value| value.to_str().unwrap_or_default().to_owned())
            };
            HttpResponse::Ok().json(json!({
                "path": req.uri().to_string(),
                "user": header("remote-user"),
                "email": header("remote-email"),
                "name": header("remote-name"),
                "groups": header("remote-groups"),
                "session": header("remote-session"),
            }))
        }))
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    address
}

/// Hallpass for an app whose proxy listens on `proxy_port` of this host.
async fn hallpass_for(proxy_port: u16) -> TestApp {
    spawn_app_with(CacheBackend::Redis, |settings| {
        settings.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        settings.public_origin = Some("http://hallpass.localhost".into());
        settings.forward_auth_origins = vec![format!("http://127.0.0.1:{proxy_port}")];
    })
    .await
}

/// What every proxy must do for the app at `proxy` (a URL) in front of `app`'s Hallpass.
async fn the_app_sees_who_calls_and_nobody_else_gets_in(app: &TestApp, proxy: &str) {
    let teacher = app.logged_in(Role::Teacher).await;
    // The same browser (cookies belong to the host, not the port) opens the app.
    let in_app = app.via(&teacher, proxy);
    let seen: Value = in_app
        .client
        .get(in_app.url("/course/7?tab=marks"))
        .header("remote-user", "somebody-else")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(seen["path"], "/course/7?tab=marks");
    assert_eq!(
        seen["user"],
        teacher.id.to_string(),
        "Hallpass's, not the client's"
    );
    assert_eq!(seen["email"], teacher.email.as_str());
    assert_eq!(seen["groups"], "teacher");

    let signed_out = app.anonymous();
    let signed_out = app.via(&signed_out, proxy);
    let navigation = signed_out
        .client
        .get(signed_out.url("/course/7?tab=marks"))
        .header(header::ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(navigation.status(), StatusCode::FOUND);
    let encoded: String =
        url::form_urlencoded::byte_serialize(format!("{proxy}/course/7?tab=marks").as_bytes())
            .collect();
    let expected = format!("http://hallpass.localhost/en/login?return_to={encoded}");
    assert_eq!(navigation.headers()[header::LOCATION], expected.as_str());
    let api_call = signed_out
        .client
        .get(signed_out.url("/api/grades"))
        .header(header::ACCEPT, "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(api_call.status(), StatusCode::UNAUTHORIZED);

    let cookie = teacher.cookie().unwrap();
    assert_eq!(
        teacher.post(paths::LOGOUT).await.status(),
        StatusCode::NO_CONTENT
    );
    in_app.set_cookie(&cookie);
    let after = in_app.get("/course/7").await;
    assert_eq!(
        after.status(),
        StatusCode::UNAUTHORIZED,
        "refused at the next request"
    );
}

#[tokio::test]
async fn an_app_behind_nginx_sees_who_calls_and_nobody_else_gets_in() {
    let port = free_port();
    let app = hallpass_for(port).await;
    let hallpass = app.address.trim_start_matches("http://");
    let nginx = PrivateNginx::forward_auth(port, hallpass, &start_app());
    the_app_sees_who_calls_and_nobody_else_gets_in(&app, &nginx.url()).await;
}

#[tokio::test]
async fn an_app_behind_caddy_sees_who_calls_and_nobody_else_gets_in() {
    let port = free_port();
    let app = hallpass_for(port).await;
    let hallpass = app.address.trim_start_matches("http://");
    let caddy = PrivateCaddy::forward_auth(port, hallpass, &start_app());
    the_app_sees_who_calls_and_nobody_else_gets_in(&app, &caddy.url()).await;
}

/// docs/INTEGRATION.md shows the site Caddy runs here, line for line.
#[test]
fn the_documented_caddy_configuration_is_the_tested_one() {
    let tested = include_str!("../../../scripts/caddy-forward-auth.Caddyfile");
    let documented = include_str!("../../../docs/INTEGRATION.md");
    let site = &tested[tested.find("\tforward_auth").unwrap()..];
    for line in site
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && *line != "}")
    {
        let line = line
            .replace("@HALLPASS@", "127.0.0.1:8080")
            .replace("@APP@", "127.0.0.1:3000");
        assert!(
            documented.lines().any(|doc| doc.trim() == line),
            "docs/INTEGRATION.md lacks `{line}`"
        );
    }
}

/// docs/INTEGRATION.md shows the locations this test runs, line for line.
#[test]
fn the_documented_nginx_configuration_is_the_tested_one() {
    let tested = include_str!("../../../scripts/nginx-forward-auth.conf");
    let documented = include_str!("../../../docs/INTEGRATION.md");
    let locations = &tested[tested.find("# Every request of the app").unwrap()..];
    for line in locations
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
    {
        assert!(
            documented.lines().any(|doc| doc.trim() == line),
            "docs/INTEGRATION.md lacks `{line}`"
        );
    }
}
