//! Every route, guard and middleware layer in one readable place.

pub mod admin;
pub mod auth;
pub mod openapi;
pub mod probes;
pub mod sessions;
pub mod spa;

use actix_session::{SessionMiddleware, storage::CookieSessionStore};
use actix_web::{HttpResponse, Resource, middleware::from_fn, web};
use hallpass_shared::paths;

use crate::{error::ApiError, middleware::api::api_layer};

/// Mounts the API under `/api` and the probes at the root.
///
/// Layers of the `/api` scope, outermost first: the API layer (CSRF and content-type
/// refusals before anything is decrypted; `no-store` and dead-cookie clearing on the way
/// out), then the cookie session.
pub fn configure(cfg: &mut web::ServiceConfig, cookies: SessionMiddleware<CookieSessionStore>) {
    cfg.service(
        web::resource(paths::HEALTHZ)
            .name(paths::HEALTHZ)
            .get(probes::healthz),
    )
    .service(
        web::resource(paths::READYZ)
            .name(paths::READYZ)
            .get(probes::readyz),
    )
    .service(
        web::resource(paths::METRICS)
            .name(paths::METRICS)
            .get(probes::metrics),
    )
    .service(
        web::scope(paths::API)
            .wrap(cookies)
            .wrap(from_fn(api_layer))
            .service(resource(paths::OPENAPI).route(web::get().to(openapi::openapi_json)))
            .service(resource(paths::LOGIN).route(web::post().to(auth::login)))
            .service(resource(paths::LOGOUT).route(web::post().to(auth::logout)))
            .service(resource(paths::CURRENT_SESSION).route(web::get().to(auth::current_session)))
            .service(resource(paths::PASSWORD).route(web::post().to(auth::change_password)))
            .service(resource(paths::SESSIONS).route(web::get().to(sessions::list_sessions)))
            .service(
                resource(paths::ENSURE_SESSION).route(web::post().to(sessions::ensure_session)),
            )
            .service(
                resource(paths::REVOKE_OTHER_SESSIONS)
                    .route(web::post().to(sessions::revoke_other_sessions)),
            )
            .service(resource(paths::OWN_EVENTS).route(web::get().to(sessions::list_own_events)))
            // After the fixed `/sessions/*` paths, which it would otherwise shadow.
            .service(
                resource(paths::SESSION_BY_ID).route(web::delete().to(sessions::revoke_session)),
            )
            .service(
                resource(paths::ADMIN_USERS)
                    .route(web::get().to(admin::list_users))
                    .route(web::post().to(admin::create_user)),
            )
            .service(resource(paths::ADMIN_USER_BY_ID).route(web::patch().to(admin::update_user)))
            .service(
                resource(paths::ADMIN_USER_SESSIONS)
                    .route(web::get().to(admin::list_user_sessions)),
            )
            .service(
                resource(paths::ADMIN_REVOKE_USER_SESSIONS)
                    .route(web::post().to(admin::revoke_user_sessions)),
            )
            .service(
                resource(paths::ADMIN_SESSION_BY_ID).route(web::delete().to(admin::revoke_session)),
            )
            .service(resource(paths::ADMIN_EVENTS).route(web::get().to(admin::list_events)))
            .default_service(web::to(not_found)),
    );
}

/// A resource under the `/api` scope, answering 405 in JSON for methods it lacks.
/// Named after its full path, which metrics and logs use as the route label.
fn resource(path: &'static str) -> Resource {
    web::resource(path.strip_prefix(paths::API).unwrap_or(path))
        .name(path)
        .default_service(web::to(method_not_allowed))
}

async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound)
}

async fn method_not_allowed() -> Result<HttpResponse, ApiError> {
    Err(ApiError::MethodNotAllowed)
}
