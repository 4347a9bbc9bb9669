//! `GET /api/openapi.json`: the OpenAPI 3 document of this API, generated from the
//! handlers' annotations and the shared wire types. `docs/openapi.json` is the committed
//! copy; a test fails when the code and that copy drift apart.

use std::sync::LazyLock;

use actix_web::HttpResponse;
use hallpass_shared::{
    AuthResponse, CreateUser, DeviceKind, EnsureResponse, ErrorBody, ErrorCode, ErrorDetail,
    EventFacts, EventKind, ListedUser, Location, LoginRequest, NewToken, OpenedBy, PasswordChange,
    Reauthenticate, RenameSession, RevokeOthersResponse, RevokedReason, Role, SessionEventView,
    SessionList, SessionView, SetPassword, UpdateUser, UserSort, UserView,
};
use utoipa::{
    Modify, OpenApi,
    openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
};

use crate::config::COOKIE_NAME;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Hallpass",
        description = "Login sessions for a school platform: server-side sessions in PostgreSQL, cached, \
                       validated on every request. Errors are `{\"error\": {\"code\", \"message\"}}`.",
    ),
    components(schemas(
        AuthResponse, CreateUser, DeviceKind, EnsureResponse, ErrorBody, ErrorCode, ErrorDetail, EventFacts, EventKind, ListedUser, Location,
        OpenedBy, RevokedReason,
        LoginRequest, NewToken, PasswordChange, Reauthenticate, RenameSession, RevokeOthersResponse, Role, SessionEventView, SessionList,
        SessionView, SetPassword, UpdateUser, UserSort, UserView,
    )),
    modifiers(&SessionCookie),
    tags(
        (name = "auth", description = "Logging in and out, the current session, password change, re-authentication"),
        (name = "sessions", description = "The caller's own sessions and audit events"),
        (name = "admin", description = "Admins overseeing users, sessions and the audit trail"),
        (name = "probes", description = "Liveness, readiness, metrics, this document"),
    ),
)]
pub struct ApiDoc;

/// The security schemes: the encrypted `hallpass_session` cookie set by login
/// (`__Host-hallpass_session` when `COOKIE_SECURE`), and the bearer token.
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
        let bearer = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(
                "A session's bearer token (`hp_…`), from POST /api/auth/login with \
                 `\"token\": true`: for native apps and REST clients",
            ))
            .build();
        components.add_security_scheme("bearer_token", SecurityScheme::Http(bearer));
    }
}

/// The document: the schemas and tags above, and the paths the endpoints declare.
pub fn api_doc() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    super::document_endpoints(&mut doc);
    doc
}

/// The document as served and committed: pretty-printed with a trailing newline.
pub fn document() -> String {
    static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
        let mut json = api_doc().to_pretty_json().unwrap_or_default();
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
    use hallpass_shared::{Role, SessionId, UserId, paths};

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

    /// The URLs the client builds (`hallpass_shared::paths`) are routes of this server.
    #[test]
    fn every_path_the_client_builds_is_a_documented_route() {
        let doc = api_doc();
        let templates: Vec<&String> = doc.paths.paths.keys().collect();
        let (session, user) = (SessionId::random(), UserId::random());
        let built = [
            paths::LOGIN.to_owned(),
            paths::LOGOUT.to_owned(),
            paths::CURRENT_SESSION.to_owned(),
            paths::PASSWORD.to_owned(),
            paths::REAUTHENTICATE.to_owned(),
            paths::VERIFY.to_owned(),
            paths::RETURN.to_owned(),
            paths::SESSIONS.to_owned(),
            paths::ENSURE_SESSION.to_owned(),
            paths::REVOKE_OTHER_SESSIONS.to_owned(),
            paths::OWN_EVENTS.to_owned(),
            paths::NEW_DEVICE_SESSIONS.to_owned(),
            paths::ADMIN_USERS.to_owned(),
            paths::ADMIN_EVENTS.to_owned(),
            paths::ADMIN_POLICIES.to_owned(),
            paths::admin_policy(Role::Student),
            paths::admin_policy_effect(Role::Teacher),
            paths::HEALTHZ.to_owned(),
            paths::READYZ.to_owned(),
            paths::METRICS.to_owned(),
            paths::OPENAPI.to_owned(),
            paths::session(session),
            paths::confirm_session(session),
            paths::deny_session(session),
            paths::admin_user(user),
            paths::admin_user_sessions(user),
            paths::admin_revoke_user_sessions(user),
            paths::admin_user_password(user),
            paths::admin_session(session),
        ];
        for url in &built {
            assert!(
                templates
                    .iter()
                    .any(|template| matches_template(template, url)),
                "{url} is not a route"
            );
        }
        assert_eq!(templates.len(), built.len(), "a route no client path names");
    }

    /// Whether `url` is `template` with each `{…}` segment filled in.
    fn matches_template(template: &str, url: &str) -> bool {
        let (template, url): (Vec<&str>, Vec<&str>) =
            (template.split('/').collect(), url.split('/').collect());
        template.len() == url.len()
            && template
                .iter()
                .zip(&url)
                .all(|(part, given)| part == given || (part.starts_with('{') && !given.is_empty()))
    }
}
