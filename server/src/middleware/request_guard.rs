//! The checks that refuse a request before any handler runs:
//! - cross-site request forgery: a state-changing method whose `Origin` is present and is
//!   not ours, or whose `Sec-Fetch-Site` is `cross-site` (403 `csrf`). Clients that send
//!   no `Origin` (curl, scripts) are unaffected, and so are requests that bring a bearer
//!   token: it is no ambient credential (a page cannot make a browser send one to another
//!   site), and it, not any cookie, authenticates the request;
//! - bodies that are not JSON (415). Body-less requests need no content type.

use actix_web::{
    dev::ServiceRequest,
    http::{Method, header},
};
use hallpass_shared::ErrorCode;

use crate::{auth::cookie::bearer_token, error::ApiError};

/// `Err` with the refusal to answer, or `Ok` to let the request through.
pub(super) fn check(req: &ServiceRequest, public_origin: Option<&str>) -> Result<(), ApiError> {
    let changes_state = matches!(
        *req.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    let ambient = bearer_token(req.headers()).is_none();
    if changes_state && ambient && is_cross_site(req, public_origin) {
        return Err(ApiError::Forbidden(ErrorCode::Csrf));
    }
    if has_body(req) && !is_json(req) {
        return Err(ApiError::UnsupportedMediaType);
    }
    Ok(())
}

fn is_cross_site(req: &ServiceRequest, public_origin: Option<&str>) -> bool {
    let headers = req.headers();
    if headers
        .get("sec-fetch-site")
        .is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(b"cross-site"))
    {
        return true;
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return false;
    };
    let Ok(origin) = origin.to_str() else {
        return true;
    };
    let origin = origin.trim_end_matches('/').to_ascii_lowercase();
    match public_origin {
        Some(expected) => origin != expected,
        // No PUBLIC_ORIGIN: the Origin must name the host the request was sent to.
        None => {
            let host = headers
                .get(header::HOST)
                .and_then(|host| host.to_str().ok());
            let origin_host = origin.split_once("://").map(|(_, host)| host);
            host.is_none_or(|host| origin_host != Some(host.to_ascii_lowercase().as_str()))
        }
    }
}

fn has_body(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    let length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    length.is_some_and(|length| length > 0) || headers.contains_key(header::TRANSFER_ENCODING)
}

fn is_json(req: &ServiceRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn verdict(req: TestRequest, public_origin: Option<&str>) -> Option<ErrorCode> {
        check(&req.to_srv_request(), public_origin)
            .err()
            .map(|error| error.code())
    }

    fn post() -> TestRequest {
        TestRequest::post().insert_header((header::HOST, "127.0.0.1:8080"))
    }

    #[test]
    fn clients_without_origin_pass() {
        assert_eq!(verdict(post(), None), None);
        assert_eq!(verdict(post(), Some("https://hp.example.org")), None);
    }

    #[test]
    fn same_origin_passes_and_foreign_origin_is_refused() {
        let same = post().insert_header((header::ORIGIN, "http://127.0.0.1:8080"));
        assert_eq!(verdict(same, None), None);
        let foreign = post().insert_header((header::ORIGIN, "https://evil.example"));
        assert_eq!(verdict(foreign, None), Some(ErrorCode::Csrf));
        let configured = post().insert_header((header::ORIGIN, "https://hp.example.org"));
        assert_eq!(verdict(configured, Some("https://hp.example.org")), None);
        let host_only = post().insert_header((header::ORIGIN, "http://127.0.0.1:8080"));
        assert_eq!(
            verdict(host_only, Some("https://hp.example.org")),
            Some(ErrorCode::Csrf)
        );
        let null = post().insert_header((header::ORIGIN, "null"));
        assert_eq!(verdict(null, None), Some(ErrorCode::Csrf));
    }

    #[test]
    fn fetch_metadata_cross_site_is_refused_but_reads_are_not() {
        let cross = post().insert_header(("sec-fetch-site", "cross-site"));
        assert_eq!(verdict(cross, None), Some(ErrorCode::Csrf));
        let read = TestRequest::get()
            .insert_header(("sec-fetch-site", "cross-site"))
            .insert_header((header::ORIGIN, "https://evil.example"));
        assert_eq!(verdict(read, None), None);
    }

    #[test]
    fn bodies_must_be_json() {
        let form = post()
            .insert_header((header::CONTENT_TYPE, "application/x-www-form-urlencoded"))
            .insert_header((header::CONTENT_LENGTH, "3"));
        assert_eq!(verdict(form, None), Some(ErrorCode::UnsupportedMediaType));
        let json = post()
            .insert_header((header::CONTENT_TYPE, "application/json; charset=utf-8"))
            .insert_header((header::CONTENT_LENGTH, "2"));
        assert_eq!(verdict(json, None), None);
        let empty = post().insert_header((header::CONTENT_LENGTH, "0"));
        assert_eq!(verdict(empty, None), None);
    }
}
