//! `GET /api/openapi.json`: the OpenAPI 3 document of this API, generated from the
//! handlers' annotations and the shared wire types. `docs/openapi.json` is the committed
//! copy; a test fails when the code and that copy drift apart.

use std::sync::LazyLock;

use actix_web::HttpResponse;
use hallpass_shared::{
    AuthResponse, CreateUser, DeviceKind, EnsureResponse, ErrorBody, ErrorCode, ErrorDetail,
    EventFacts, EventKind, ListedUser, Location, LoginRequest, OpenedBy, PasswordChange,
    RenameSession, RevokeOthersResponse, RevokedReason, Role, SessionEventView, SessionList,
    SessionView, SetPassword, UpdateUser, UserSort, UserView,
};
use utoipa::{
    Modify, OpenApi,
    openapi::security::{ApiKey, ApiKeyValue, SecurityScheme},
};

use super::{admin, auth, probes, sessions};
use crate::config::COOKIE_NAME;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Hallpass",
        description = "Login sessions for a school platform: server-side sessions in PostgreSQL, cached, \
                       validated on every request. Errors are `{\"error\": {\"code\", \"message\"}}`.",
    ),
    paths(
        auth::login, auth::logout, auth::current_session, auth::change_password,
        sessions::ensure_session, sessions::list_sessions, sessions::revoke_session,
        sessions::revoke_other_sessions, sessions::list_own_events, sessions::rename_session,
        sessions::list_new_device_sessions, sessions::confirm_new_device, sessions::deny_new_device,
        admin::list_users, admin::create_user, admin::update_user, admin::list_user_sessions,
        admin::revoke_user_sessions, admin::set_user_password, admin::revoke_session, admin::list_events,
        probes::healthz, probes::readyz, probes::metrics, openapi_json,
    ),
    components(schemas(
        AuthResponse, CreateUser, DeviceKind, EnsureResponse, ErrorBody, ErrorCode, ErrorDetail, EventFacts, EventKind, ListedUser, Location,
        OpenedBy, RevokedReason,
        LoginRequest, PasswordChange, RenameSession, RevokeOthersResponse, Role, SessionEventView, SessionList,
        SessionView, SetPassword, UpdateUser, UserSort, UserView,
    )),
    modifiers(&SessionCookie),
    tags(
        (name = "auth", description = "Logging in and out, the current session, password change"),
        (name = "sessions", description = "The caller's own sessions and audit events"),
        (name = "admin", description = "Admins overseeing users, sessions and the audit trail"),
        (name = "probes", description = "Liveness, readiness, metrics, this document"),
    ),
)]
pub struct ApiDoc;

/// The `session_cookie` security scheme: the encrypted `hallpass_session` cookie set by
/// login (`__Host-hallpass_session` when `COOKIE_SECURE`).
struct SessionCookie;

impl Modify for SessionCookie {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let cookie = ApiKeyValue::with_description(
            COOKIE_NAME,
            "Encrypted session cookie set by POST /api/auth/login (HttpOnly, SameSite=Lax)",
        );
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(cookie)),
        );
    }
}

/// The document as served and committed: pretty-printed with a trailing newline.
pub fn document() -> String {
    static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
        let mut json = ApiDoc::openapi().to_pretty_json().unwrap_or_default();
        json.push('\n');
        json
    });
    DOCUMENT.clone()
}

/// `GET /api/openapi.json`. **Permissions:** anyone.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "probes",
    responses((status = 200, description = "This OpenAPI 3 document", content_type = "application/json")),
    security(())
)]
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(document())
}

#[cfg(test)]
mod tests {
    use hallpass_shared::paths;

    use super::*;

    /// The committed document is what the code generates. After changing the API, run
    /// `cargo run -q -p hallpass-server -- openapi > docs/openapi.json` and commit it.
    #[test]
    fn committed_document_matches_the_code() {
        let committed =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/openapi.json");
        let committed = std::fs::read_to_string(committed).unwrap_or_default();
        assert!(
            committed == document(),
            "docs/openapi.json is stale: run `cargo run -q -p hallpass-server -- openapi > docs/openapi.json`"
        );
    }

    #[test]
    fn every_route_is_documented() {
        let doc = ApiDoc::openapi();
        for path in [
            paths::LOGIN,
            paths::LOGOUT,
            paths::CURRENT_SESSION,
            paths::PASSWORD,
            paths::SESSIONS,
            paths::ENSURE_SESSION,
            paths::REVOKE_OTHER_SESSIONS,
            paths::OWN_EVENTS,
            paths::SESSION_BY_ID,
            paths::NEW_DEVICE_SESSIONS,
            paths::CONFIRM_SESSION,
            paths::DENY_SESSION,
            paths::ADMIN_USERS,
            paths::ADMIN_USER_BY_ID,
            paths::ADMIN_USER_SESSIONS,
            paths::ADMIN_REVOKE_USER_SESSIONS,
            paths::ADMIN_USER_PASSWORD,
            paths::ADMIN_SESSION_BY_ID,
            paths::ADMIN_EVENTS,
            paths::HEALTHZ,
            paths::READYZ,
            paths::METRICS,
            paths::OPENAPI,
        ] {
            assert!(
                doc.paths.paths.contains_key(path),
                "{path} is not in the OpenAPI document"
            );
        }
        assert_eq!(
            doc.paths.paths.len(),
            23,
            "a documented path that is not a route constant"
        );
    }
}
