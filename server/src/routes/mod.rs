//! Every route, guard and middleware layer in one readable place.

pub mod admin;
pub mod auth;
pub mod openapi;
pub mod probes;
pub mod responses;
pub mod sessions;
pub mod spa;

use actix_web::{
    HttpResponse, Resource,
    body::MessageBody,
    dev::{ServiceFactory, ServiceRequest, ServiceResponse},
    middleware::from_fn,
    web,
};
use hallpass_shared::paths;

use crate::{
    error::ApiError,
    middleware::{api::api_layer, deadline::within_deadline},
};

/// Mounts the API under `/api` and the probes at the root.
///
/// The `/api` scope has one layer, [`api_layer`]: CSRF and content-type refusals before
/// the cookie is opened, the session cookie, and `no-store`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(named(paths::HEALTHZ, paths::HEALTHZ, "GET").get(probes::healthz))
        .service(named(paths::READYZ, paths::READYZ, "GET").get(probes::readyz))
        .service(
            web::scope(paths::API)
                .wrap(from_fn(api_layer))
                .service(
                    resource(paths::OPENAPI, "GET").route(web::get().to(openapi::openapi_json)),
                )
                .service(resource(paths::LOGIN, "POST").route(web::post().to(auth::login)))
                .service(resource(paths::LOGOUT, "POST").route(web::post().to(auth::logout)))
                .service(
                    resource(paths::CURRENT_SESSION, "GET")
                        .route(web::get().to(auth::current_session)),
                )
                .service(
                    resource(paths::PASSWORD, "POST").route(web::post().to(auth::change_password)),
                )
                .service(
                    resource(paths::SESSIONS, "GET").route(web::get().to(sessions::list_sessions)),
                )
                .service(
                    resource(paths::ENSURE_SESSION, "POST")
                        .route(web::post().to(sessions::ensure_session)),
                )
                .service(
                    resource(paths::REVOKE_OTHER_SESSIONS, "POST")
                        .route(web::post().to(sessions::revoke_other_sessions)),
                )
                .service(
                    resource(paths::OWN_EVENTS, "GET")
                        .route(web::get().to(sessions::list_own_events)),
                )
                .service(
                    resource(paths::NEW_DEVICE_SESSIONS, "GET")
                        .route(web::get().to(sessions::list_new_device_sessions)),
                )
                // After the fixed `/sessions/*` paths, which it would otherwise shadow.
                .service(
                    resource(paths::SESSION_BY_ID, "DELETE, PATCH")
                        .route(web::delete().to(sessions::revoke_session))
                        .route(web::patch().to(sessions::rename_session)),
                )
                .service(
                    resource(paths::CONFIRM_SESSION, "POST")
                        .route(web::post().to(sessions::confirm_new_device)),
                )
                .service(
                    resource(paths::DENY_SESSION, "POST")
                        .route(web::post().to(sessions::deny_new_device)),
                )
                .service(
                    resource(paths::ADMIN_USERS, "GET, POST")
                        .route(web::get().to(admin::list_users))
                        .route(web::post().to(admin::create_user)),
                )
                .service(
                    resource(paths::ADMIN_USER_BY_ID, "PATCH")
                        .route(web::patch().to(admin::update_user)),
                )
                .service(
                    resource(paths::ADMIN_USER_SESSIONS, "GET")
                        .route(web::get().to(admin::list_user_sessions)),
                )
                .service(
                    resource(paths::ADMIN_REVOKE_USER_SESSIONS, "POST")
                        .route(web::post().to(admin::revoke_user_sessions)),
                )
                .service(
                    resource(paths::ADMIN_USER_PASSWORD, "POST")
                        .route(web::post().to(admin::set_user_password)),
                )
                .service(
                    resource(paths::ADMIN_SESSION_BY_ID, "DELETE")
                        .route(web::delete().to(admin::revoke_session)),
                )
                .service(
                    resource(paths::ADMIN_EVENTS, "GET").route(web::get().to(admin::list_events)),
                )
                .default_service(web::to(not_found)),
        );
}

/// `/metrics`: on the API's address, or alone on `METRICS_BIND`.
pub fn configure_metrics(cfg: &mut web::ServiceConfig) {
    cfg.service(named(paths::METRICS, paths::METRICS, "GET").get(probes::metrics));
}

/// A resource under the `/api` scope, named after its full path (the route label of
/// metrics and logs), answering other methods with a JSON 405 whose `Allow` header lists
/// `allow`, the methods its routes take, and 503 past the request deadline.
fn resource(
    path: &'static str,
    allow: &'static str,
) -> Resource<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    named(path.strip_prefix(paths::API).unwrap_or(path), path, allow).wrap(from_fn(within_deadline))
}

/// A resource at `pattern` named `name`, answering methods outside `allow` with a JSON 405.
fn named(pattern: &'static str, name: &'static str, allow: &'static str) -> Resource {
    web::resource(pattern)
        .name(name)
        .default_service(web::to(move || async move {
            Err::<HttpResponse, _>(ApiError::MethodNotAllowed { allow })
        }))
}

async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound)
}
