//! One span, one log line and the HTTP metrics per request. Every request gets an id, returned as
//! `x-request-id` and carried by the span (with the user and session ids once the session
//! extractor knows them), so a client can quote it and an operator find every line it
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
use tracing::{Instrument as _, field::Empty};

use crate::{state::AppState, telemetry::RequestId};

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
    // The span carries what every line of the request shares; what only the closing
    // line needs goes on that line, so no field is formatted twice.
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        user.id = Empty,
        session.id = Empty,
    );
    let started = Instant::now();
    let mut res = id.scope(next.call(req).instrument(span.clone())).await?;
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
    if !span.is_disabled() {
        let latency_ms = (seconds * 1e6).round() / 1e3;
        span.in_scope(|| tracing::info!(method, route, status = status.as_u16(), latency_ms));
    }
    if let Ok(value) = HeaderValue::from_str(&id.to_string()) {
        res.headers_mut().insert(HEADER, value);
    }
    Ok(res)
}
