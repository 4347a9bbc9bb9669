//! The layer around every `/api` route: refuses cross-site and non-JSON requests
//! ([`request_guard`](super::request_guard)) before anything is decrypted, opens the
//! session cookie, and on the way out writes the cookie the handler asked for (or clears
//! a dead one, see [`SessionCookies::finish`](crate::auth::cookie::SessionCookies::finish))
//! and marks every answer `Cache-Control: no-store`. One layer rather than three: this
//! runs on every request.

use actix_web::{
    Error,
    body::{EitherBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::header::{CACHE_CONTROL, HeaderValue},
    middleware::Next,
    web,
};

use chrono::Utc;

use super::request_guard;
use crate::{auth::cookie::SessionCookies, state::AppState};

pub async fn api_layer(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let app_data = |req: &ServiceRequest| {
        let state = req.app_data::<web::Data<AppState>>()?.clone();
        Some((state, req.app_data::<web::Data<SessionCookies>>()?.clone()))
    };
    let Some((state, cookies)) = app_data(&req) else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    };
    let settings = &state.settings;
    if let Err(refusal) = request_guard::check(&req, settings.public_origin.as_deref()) {
        return Ok(req.error_response(refusal).map_into_right_body());
    }
    cookies.open_request(&req);
    let mut res = next.call(req).await?.map_into_left_body();
    if !res.headers().contains_key(CACHE_CONTROL) {
        res.headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    cookies.finish(&mut res, Utc::now())?;
    Ok(res)
}
