//! The single-page app: built assets from `STATIC_DIR`, and `index.html` for every other
//! path outside `/api` and the probes, so client-side routes survive a reload.
//! Without a built SPA those paths answer a JSON 404.

use std::path::{Path, PathBuf};

use actix_files::NamedFile;
use actix_web::{HttpRequest, HttpResponse, http::Method, web};

use crate::error::ApiError;

/// Where the built SPA lives, once checked to hold an `index.html`.
#[derive(Clone)]
struct SpaDir(PathBuf);

/// Mounts the SPA as the default service when `dir` holds an `index.html`.
pub fn configure(cfg: &mut web::ServiceConfig, dir: &Path) {
    if dir.join("index.html").is_file() {
        cfg.app_data(web::Data::new(SpaDir(dir.to_owned())))
            .default_service(web::to(serve));
    } else {
        cfg.default_service(web::to(not_found));
    }
}

async fn serve(req: HttpRequest, dir: web::Data<SpaDir>) -> Result<HttpResponse, ApiError> {
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return Err(ApiError::MethodNotAllowed { allow: "GET, HEAD" });
    }
    let asset = asset_path(req.path())
        .map(|relative| dir.0.join(relative))
        .filter(|path| path.is_file());
    let file = asset.unwrap_or_else(|| dir.0.join("index.html"));
    let file = NamedFile::open_async(&file).await.map_err(|error| {
        ApiError::Internal(anyhow::Error::new(error).context("reading the built SPA"))
    })?;
    Ok(file.use_last_modified(true).into_response(&req))
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
