//! The request deadline: an API handler that has not answered within
//! `DB_POOL_TIMEOUT` + `DB_QUERY_TIMEOUT` is dropped and the client gets 503 with
//! `Retry-After`, whatever the database does (a hung server or a black-holed network
//! never answers, and its statement timeout cannot help). Writes are not torn by this:
//! they run to completion on their own task (see
//! [`AppState::to_completion`](crate::state::AppState::to_completion)).
//!
//! It wraps each resource rather than the `/api` scope because it keeps a handle on the
//! request, which the scope's router must still hold alone while it matches the path.

use actix_web::{
    Error, ResponseError as _,
    body::{EitherBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    middleware::Next,
    web,
};

use crate::{error::ApiError, state::AppState};

pub async fn within_deadline(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let Some(deadline) = req
        .app_data::<web::Data<AppState>>()
        .map(|state| state.settings.request_deadline())
    else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let request = req.request().clone();
    match tokio::time::timeout(deadline, next.call(req)).await {
        Ok(answer) => Ok(answer?.map_into_left_body()),
        Err(_) => {
            let late = anyhow::anyhow!("no answer within the request deadline ({deadline:?})");
            let refusal = ApiError::Unavailable(late).error_response();
            Ok(ServiceResponse::new(request, refusal).map_into_right_body())
        }
    }
}
