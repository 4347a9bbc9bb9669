//! Paths outside `/api` and the probes serve the built SPA: assets as files, admin routes
//! `admin.html` (the bundle with the console), every other path `index.html` (client-side
//! routes), while `/api` keeps answering JSON.

use hallpass_server::config::CacheBackend;
use hallpass_shared::ErrorCode;
use reqwest::StatusCode;

use crate::support::{assert_error, spawn_app, spawn_app_with};

const INDEX: &str = "<!doctype html><title>Hallpass</title>";

#[tokio::test]
async fn client_routes_get_index_html_and_assets_are_files() {
    let dist =
        std::env::temp_dir().join(format!("hallpass-dist-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), INDEX).unwrap();
    std::fs::write(dist.join("app.js"), "console.log('hi')").unwrap();
    std::fs::write(dist.join("app.js.gz"), b"\x1f\x8b gzip bytes").unwrap();
    std::fs::write(dist.join(".hidden"), "secret").unwrap();
    let static_dir = dist.clone();
    let app = spawn_app_with(CacheBackend::Memory, move |settings| {
        settings.static_dir = static_dir
    })
    .await;
    let browser = app.anonymous();

    for path in ["/", "/en/login", "/fr/student", "/en/profile?tab=sessions"] {
        let response = browser.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert_security_headers(&response);
        assert_eq!(response.headers()["cache-control"], "no-cache");
        assert_eq!(response.text().await.unwrap(), INDEX, "{path}");
    }
    let script = browser.get("/app.js").await;
    assert_eq!(script.status(), StatusCode::OK);
    assert_security_headers(&script);
    assert!(script.headers().get("content-encoding").is_none());
    let gzipped = browser
        .client
        .get(browser.url("/app.js"))
        .header("accept-encoding", "br, gzip;q=0.8")
        .send()
        .await
        .unwrap();
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");
    assert!(
        gzipped.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
    assert_eq!(
        gzipped.bytes().await.unwrap().as_ref(),
        b"\x1f\x8b gzip bytes"
    );
    assert!(
        script.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
    assert_error(
        browser.get("/api/not/a/route").await,
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
    let traversal = browser.get("/..%2f..%2fetc%2fpasswd").await;
    assert_eq!(
        traversal.text().await.unwrap(),
        INDEX,
        "no file outside STATIC_DIR is served"
    );
    std::fs::remove_dir_all(dist).unwrap();
}

#[tokio::test]
async fn admin_routes_get_the_admin_page_when_it_was_built() {
    const ADMIN: &str = "<!doctype html><title>Hallpass</title>\
                         <script type=\"module\">import init from '/admin.js';</script>";
    let dist =
        std::env::temp_dir().join(format!("hallpass-dist-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), INDEX).unwrap();
    let spawn = |dist: std::path::PathBuf| {
        spawn_app_with(CacheBackend::Memory, move |settings| {
            settings.static_dir = dist
        })
    };
    let page = |app: &crate::support::TestApp, path: &'static str| {
        let browser = app.anonymous();
        async move { browser.get(path).await.text().await.unwrap() }
    };

    // A build of one bundle: every route gets index.html.
    let single = spawn(dist.clone()).await;
    assert_eq!(page(&single, "/en/admin").await, INDEX);

    std::fs::write(dist.join("admin.html"), ADMIN).unwrap();
    let app = spawn(dist.clone()).await;
    for path in ["/en/admin", "/fr/admin/"] {
        let response = app.anonymous().get(path).await;
        assert_security_headers(&response);
        let policy = response.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(response.text().await.unwrap(), ADMIN, "{path}");
        // The admin page's loader runs: its hash is in the policy.
        assert_eq!(policy.matches("'sha256-").count(), 1, "{policy}");
    }
    for path in ["/en/profile", "/en/admin/users", "/admin"] {
        assert_eq!(page(&app, path).await, INDEX, "{path}");
    }
    assert_eq!(page(&app, "/admin.html").await, ADMIN);
    std::fs::remove_dir_all(dist).unwrap();
}

/// The page may run only this server's scripts, is never framed, never sniffed, and
/// never leaks its address to another site.
fn assert_security_headers(response: &reqwest::Response) {
    let headers = response.headers();
    let policy = headers["content-security-policy"].to_str().unwrap();
    assert!(
        policy.contains("script-src 'self' 'wasm-unsafe-eval'"),
        "{policy}"
    );
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "no-referrer");
}

#[tokio::test]
async fn without_a_built_spa_other_paths_answer_json_404() {
    let app = spawn_app(CacheBackend::Memory).await;
    assert_error(
        app.anonymous().get("/en/login").await,
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
}
