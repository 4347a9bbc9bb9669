//! Every route, guard and middleware layer in one readable place: the tables below are
//! the only list of the API's endpoints (each handler's `#[utoipa::path]` declares its
//! path, method and answers; see [`endpoints`]).

pub mod admin;
pub mod auth;
mod endpoints;
pub mod openapi;
pub mod policies;
pub mod probes;
pub mod responses;
pub mod sessions;
pub mod spa;
pub mod verify;

use std::sync::LazyLock;

use actix_web::{middleware::from_fn, web};

use self::endpoints::{Endpoint, PathGroup, endpoint};
use crate::{
    error::ApiError,
    middleware::{api::api_layer, deadline::within_deadline},
};

/// The prefix of every JSON route: the scope of [`api_layer`].
const API: &str = "/api";

/// The JSON API, in the order paths are matched: fixed `/sessions/*` paths before the
/// `/sessions/{id}` template that would otherwise shadow them.
static API_ENDPOINTS: LazyLock<Vec<Endpoint>> = LazyLock::new(|| {
    vec![
        endpoint::<openapi::__path_openapi_json, _, _>(openapi::openapi_json),
        endpoint::<auth::__path_login, _, _>(auth::login),
        endpoint::<auth::__path_logout, _, _>(auth::logout),
        endpoint::<auth::__path_current_session, _, _>(auth::current_session),
        endpoint::<auth::__path_change_password, _, _>(auth::change_password),
        endpoint::<auth::__path_reauthenticate, _, _>(auth::reauthenticate),
        endpoint::<verify::__path_verify, _, _>(verify::verify),
        endpoint::<verify::__path_verify_head, _, _>(verify::verify_head),
        endpoint::<verify::__path_return_to, _, _>(verify::return_to),
        endpoint::<sessions::__path_list_sessions, _, _>(sessions::list_sessions),
        endpoint::<sessions::__path_ensure_session, _, _>(sessions::ensure_session),
        endpoint::<sessions::__path_revoke_other_sessions, _, _>(sessions::revoke_other_sessions),
        endpoint::<sessions::__path_list_own_events, _, _>(sessions::list_own_events),
        endpoint::<sessions::__path_list_new_device_sessions, _, _>(
            sessions::list_new_device_sessions,
        ),
        endpoint::<sessions::__path_revoke_session, _, _>(sessions::revoke_session),
        endpoint::<sessions::__path_rename_session, _, _>(sessions::rename_session),
        endpoint::<sessions::__path_confirm_new_device, _, _>(sessions::confirm_new_device),
        endpoint::<sessions::__path_deny_new_device, _, _>(sessions::deny_new_device),
        endpoint::<admin::__path_list_users, _, _>(admin::list_users),
        endpoint::<admin::__path_create_user, _, _>(admin::create_user),
        endpoint::<admin::__path_update_user, _, _>(admin::update_user),
        endpoint::<admin::__path_list_user_sessions, _, _>(admin::list_user_sessions),
        endpoint::<admin::__path_revoke_user_sessions, _, _>(admin::revoke_user_sessions),
        endpoint::<admin::__path_set_user_password, _, _>(admin::set_user_password),
        endpoint::<admin::__path_revoke_session, _, _>(admin::revoke_session),
        endpoint::<admin::__path_list_events, _, _>(admin::list_events),
        endpoint::<policies::__path_list_policies, _, _>(policies::list_policies),
        endpoint::<policies::__path_set_policy, _, _>(policies::set_policy),
        endpoint::<policies::__path_policy_effect, _, _>(policies::policy_effect),
    ]
});

/// Liveness and readiness, at the root.
static PROBES: LazyLock<Vec<Endpoint>> = LazyLock::new(|| {
    vec![
        endpoint::<probes::__path_healthz, _, _>(probes::healthz),
        endpoint::<probes::__path_readyz, _, _>(probes::readyz),
    ]
});

/// `/metrics`: on the API's address, or alone on `METRICS_BIND`.
static METRICS: LazyLock<Vec<Endpoint>> =
    LazyLock::new(|| vec![endpoint::<probes::__path_metrics, _, _>(probes::metrics)]);

static API_PATHS: LazyLock<Vec<PathGroup<'static>>> =
    LazyLock::new(|| PathGroup::of(&API_ENDPOINTS));
static PROBE_PATHS: LazyLock<Vec<PathGroup<'static>>> = LazyLock::new(|| PathGroup::of(&PROBES));
static METRICS_PATHS: LazyLock<Vec<PathGroup<'static>>> = LazyLock::new(|| PathGroup::of(&METRICS));

/// Mounts the API under `/api` and the probes at the root.
///
/// The `/api` scope has one layer, [`api_layer`]: CSRF and content-type refusals before
/// the cookie is opened, the session cookie, and `no-store`. Each of its resources
/// answers 503 past the request deadline.
pub fn configure(cfg: &mut web::ServiceConfig) {
    for group in PROBE_PATHS.iter() {
        cfg.service(group.resource(group.path));
    }
    let scope = API_PATHS
        .iter()
        .fold(web::scope(API).wrap(from_fn(api_layer)), |scope, group| {
            let pattern = group.path.strip_prefix(API).unwrap_or(group.path);
            scope.service(group.resource(pattern).wrap(from_fn(within_deadline)))
        });
    cfg.service(scope.default_service(web::to(not_found)));
}

/// `/metrics`: on the API's address, or alone on `METRICS_BIND`.
pub fn configure_metrics(cfg: &mut web::ServiceConfig) {
    for group in METRICS_PATHS.iter() {
        cfg.service(group.resource(group.path));
    }
}

/// Documents every endpoint in `doc`.
pub fn document_endpoints(doc: &mut utoipa::openapi::OpenApi) {
    let all: Vec<&Endpoint> = API_ENDPOINTS
        .iter()
        .chain(PROBES.iter())
        .chain(METRICS.iter())
        .collect();
    endpoints::document(doc, &all);
}

async fn not_found() -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::NotFound)
}
