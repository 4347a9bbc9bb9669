//! The layer around every `/api` route, outside the cookie session: picks the readable
//! session cookie when several arrive, refuses cross-site and non-JSON requests
//! ([`request_guard`](super::request_guard)), marks every answer
//! `Cache-Control: no-store`, and clears dead session cookies
//! ([`dead_cookie`](super::dead_cookie)). One layer rather than three: this runs on
//! every request.

use actix_web::{
    Error,
    body::{EitherBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::header::{CACHE_CONTROL, HeaderValue},
    middleware::Next,
    web,
};

use super::{dead_cookie, request_guard};
use crate::{auth::cookie, state::AppState};

pub async fn api_layer(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    };
    let settings = &state.settings;
    cookie::keep_readable_session_cookie(&mut req, settings.cookie_name(), &state.cookie_key);
    if let Err(refusal) = request_guard::check(&req, settings.public_origin.as_deref()) {
        return Ok(req.error_response(refusal).map_into_right_body());
    }
    let mut res = next.call(req).await?;
    if !res.headers().contains_key(CACHE_CONTROL) {
        res.headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    dead_cookie::clear_if_dead(&mut res, &state.settings)?;
    Ok(res.map_into_left_body())
}
