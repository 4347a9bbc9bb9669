//! One log line and the HTTP metrics per request. Every request gets an id, returned as
//! `x-request-id` and carried by every line written while serving it (with the user and
//! session ids once the session extractor knows them, see
//! [`RequestContext`]), so a client can quote it and an operator find every line it
//! caused; the closing line adds method, route pattern, status and latency. Nothing is
//! formatted while the `info` level is off.

use std::time::Instant;

use actix_web::{
    Error, HttpMessage as _,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::{
        Method,
        header::{HeaderName, HeaderValue},
    },
    middleware::Next,
    web,
};
use uuid::Uuid;

use crate::{
    state::AppState,
    telemetry::{RequestContext, RequestId},
};

pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The route label of everything that matched no named resource: unknown paths, the
/// SPA's files and client routes.
pub const UNNAMED_ROUTE: &str = "(other)";

/// Standard methods by name; anything else one label, so clients cannot grow the series.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

pub async fn log_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = RequestId::new();
    req.extensions_mut().insert(id);
    let started = Instant::now();
    // The closing line is written inside the request's context, so it carries the ids.
    RequestContext::new(id)
        .scope(async move {
            let mut res = next.call(req).await?;
            let seconds = started.elapsed().as_secs_f64();
            // Resources are named after their path pattern (see `routes`): no allocation here.
            let route = res.request().match_name().unwrap_or(UNNAMED_ROUTE);
            let method = method_label(res.request().method());
            let status = res.status();
            if let Some(state) = res.request().app_data::<web::Data<AppState>>() {
                state
                    .domain
                    .metrics
                    .request(method, route, status.as_str(), seconds);
            }
            let latency_ms = (seconds * 1e6).round() / 1e3;
            tracing::info!(method, route, status = status.as_u16(), latency_ms);
            let id =
                id.0.hyphenated()
                    .encode_lower(&mut Uuid::encode_buffer())
                    .to_owned();
            if let Ok(value) = HeaderValue::try_from(id) {
                res.headers_mut().insert(HEADER, value);
            }
            Ok(res)
        })
        .await
}
