//! The single-page app: built assets from `STATIC_DIR`, and a page for every other path
//! outside `/api` and the probes, so client-side routes survive a reload: `admin.html`
//! (the app with the admin console) for `/{locale}/admin`, `index.html` (the app
//! without it, what students and teachers load) for the rest. Without a built SPA those
//! paths answer a JSON 404.
//!
//! Every answer carries a Content-Security-Policy that lets the page run only this
//! server's own scripts (plus WebAssembly compilation, and the inline loader trunk
//! writes into each page, allowed by its hash), and refuses framing.

use std::path::{Path, PathBuf};

use actix_files::NamedFile;
use actix_web::http::header::{self, AcceptEncoding, ContentEncoding, Encoding, HeaderValue};
use actix_web::{HttpMessage as _, HttpRequest, HttpResponse, http::Method, web};
use base64::{Engine, engine::general_purpose::STANDARD as BASE64};
use sha2::{Digest, Sha256};

use crate::error::ApiError;

const INDEX: &str = "index.html";
const ADMIN: &str = "admin.html";

/// The built SPA: where it lives, once checked to hold a readable `index.html`, whether
/// it has `admin.html`, and the security policy its pages are served with. Loaded once
/// at start-up.
#[derive(Clone)]
pub struct Spa {
    dir: PathBuf,
    has_admin: bool,
    policy: HeaderValue,
}

impl Spa {
    /// The SPA built into `dir`; `None` when there is no readable `index.html`. Without
    /// `admin.html` (a build of one bundle), every route gets `index.html`.
    pub fn load(dir: &Path) -> Option<Self> {
        let index = std::fs::read_to_string(dir.join(INDEX)).ok()?;
        let admin = std::fs::read_to_string(dir.join(ADMIN)).ok();
        let pages = [Some(index.as_str()), admin.as_deref()];
        let policy = content_security_policy(pages.into_iter().flatten());
        Some(Self {
            dir: dir.to_owned(),
            has_admin: admin.is_some(),
            policy: HeaderValue::from_str(&policy).ok()?,
        })
    }

    /// The page a client route starts from.
    fn page_for(&self, path: &str) -> &'static str {
        if self.has_admin && is_admin_route(path) {
            ADMIN
        } else {
            INDEX
        }
    }
}

/// `/{locale}/admin` and `/{locale}/admin/policies`, the admin console's routes (any
/// first segment: the app itself sends an unknown locale to a known one).
fn is_admin_route(path: &str) -> bool {
    let mut segments = path.trim_end_matches('/').split('/').skip(1);
    matches!(
        (segments.next(), segments.next(), segments.next(), segments.next()),
        (Some(locale), Some("admin"), None | Some("policies"), None) if !locale.is_empty()
    )
}

/// Mounts the SPA as the default service; without one, other paths answer a JSON 404.
pub fn configure(cfg: &mut web::ServiceConfig, spa: Option<&web::Data<Spa>>) {
    match spa {
        Some(spa) => {
            cfg.app_data(spa.clone()).default_service(web::to(serve));
        }
        None => {
            cfg.default_service(web::to(not_found));
        }
    }
}

async fn serve(req: HttpRequest, spa: web::Data<Spa>) -> Result<HttpResponse, ApiError> {
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return Err(ApiError::MethodNotAllowed { allow: "GET, HEAD" });
    }
    let asset = asset_path(req.path())
        .map(|relative| spa.dir.join(relative))
        .filter(|path| path.is_file());
    let caching = match &asset {
        Some(path) if is_fingerprinted(path) => "public, max-age=31536000, immutable",
        // The pages name the current fingerprinted files: always revalidate them.
        _ => "no-cache",
    };
    let path = asset.unwrap_or_else(|| spa.dir.join(spa.page_for(req.path())));
    let file = open(&path, accepts_gzip(&req)).await.map_err(|error| {
        ApiError::Internal(anyhow::Error::new(error).context("reading the built SPA"))
    })?;
    let mut response = file.use_last_modified(true).into_response(&req);
    let headers = response.headers_mut();
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    headers.insert(header::CONTENT_SECURITY_POLICY, spa.policy.clone());
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(caching));
    Ok(response)
}

/// The file at `path`, or its gzip copy (`path.gz`, written by the build) when the client
/// takes gzip: the WebAssembly shrinks to about 40 %.
async fn open(path: &Path, gzip: bool) -> std::io::Result<NamedFile> {
    let mut compressed = path.as_os_str().to_owned();
    compressed.push(".gz");
    let compressed = PathBuf::from(compressed);
    if gzip && compressed.is_file() {
        let extension = path.extension().and_then(|ext| ext.to_str()).unwrap_or("");
        return Ok(NamedFile::open_async(&compressed)
            .await?
            .set_content_type(actix_files::file_extension_to_mime(extension))
            .set_content_encoding(ContentEncoding::Gzip)
            .disable_content_disposition());
    }
    NamedFile::open_async(path).await
}

fn accepts_gzip(req: &HttpRequest) -> bool {
    let offered = [Encoding::gzip(), Encoding::identity()];
    req.get_header::<AcceptEncoding>()
        .and_then(|accepted| accepted.negotiate(offered.iter()))
        == Some(Encoding::gzip())
}

/// The policy for the SPA's `pages`: same-origin everything, WebAssembly allowed to
/// compile, and each inline script of the pages allowed by its SHA-256.
fn content_security_policy<'a>(pages: impl Iterator<Item = &'a str>) -> String {
    let hashes: String = pages
        .flat_map(inline_scripts)
        .map(|script| format!(" 'sha256-{}'", BASE64.encode(Sha256::digest(script))))
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The bodies of the `<script>` elements without a `src`, exactly as the browser hashes
/// them.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let (attributes, after) = rest.split_once('>')?;
        let (body, _) = after.split_once("</script>")?;
        (!attributes.contains("src=")).then_some(body)
    })
}

/// Trunk names built assets `name-<16 hex digits>.ext`: their content never changes.
fn is_fingerprinted(path: &Path) -> bool {
    let stem = path
        .file_stem()
        .and_then(|stem| stem.to_str())
        .unwrap_or("");
    // `app-<hash>_bg.wasm` carries its suffix after the hash.
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The file a path may name: plain segments of letters, digits, `.`, `-` and `_`, none
/// starting with a dot. Anything else (`..`, encoded characters, hidden files) is a
/// client-side route, never a file.
fn asset_path(path: &str) -> Option<PathBuf> {
    let relative = path.trim_start_matches('/');
    let plain = |segment: &str| {
        !segment.is_empty()
            && !segment.starts_with('.')
            && segment
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
    };
    (!relative.is_empty() && relative.split('/').all(plain)).then(|| PathBuf::from(relative))
}

async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_allowed_by_hash_only() {
        let html = "<head><script type=\"module\">import init from '/a.js';</script>\
                    <script src=\"/b.js\"></script></head>";
        let scripts: Vec<_> = inline_scripts(html).collect();
        assert_eq!(scripts, ["import init from '/a.js';"]);
        let admin = "<script type=\"module\">import init from '/admin.js';</script>";
        let policy = content_security_policy([html, admin].into_iter());
        let hash = |script: &str| BASE64.encode(Sha256::digest(script));
        let (index, admin) = (
            hash("import init from '/a.js';"),
            hash("import init from '/admin.js';"),
        );
        assert!(policy.contains(&format!(
            "script-src 'self' 'wasm-unsafe-eval' 'sha256-{index}' 'sha256-{admin}';"
        )));
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(!policy.contains("unsafe-inline"));
    }

    #[test]
    fn admin_routes_start_from_the_admin_page() {
        for admin in ["/en/admin", "/fr/admin/", "/de/admin", "/en/admin/policies"] {
            assert!(is_admin_route(admin), "{admin}");
        }
        for other in [
            "/en/profile",
            "/admin",
            "/en/admin/x",
            "/en/admin/policies/x",
            "//admin",
            "/en",
            "/",
        ] {
            assert!(!is_admin_route(other), "{other}");
        }
    }

    #[test]
    fn only_trunk_hashed_names_are_immutable() {
        assert!(is_fingerprinted(Path::new("dist/app-6b9498b34a6ac72f.js")));
        assert!(is_fingerprinted(Path::new(
            "dist/app-6b9498b34a6ac72f_bg.wasm"
        )));
        assert!(!is_fingerprinted(Path::new("dist/index.html")));
        assert!(!is_fingerprinted(Path::new("dist/robots.txt")));
        assert!(!is_fingerprinted(Path::new("dist/my-file.css")));
    }

    #[test]
    fn only_plain_paths_name_files() {
        assert_eq!(
            asset_path("/app-1a2b.js"),
            Some(PathBuf::from("app-1a2b.js"))
        );
        assert_eq!(
            asset_path("/styles/main.css"),
            Some(PathBuf::from("styles/main.css"))
        );
        for route in [
            "/",
            "",
            "/../etc/passwd",
            "/..%2fetc",
            "/.env",
            "/a//b",
            "/en/login?x",
            "/x/.git/config",
        ] {
            assert_eq!(asset_path(route), None, "{route}");
        }
    }
}
