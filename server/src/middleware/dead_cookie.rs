//! Clears the session cookie on answers that declared it dead (see
//! [`crate::error::DeadSessionCookie`]), including cookies that did not even decrypt.

use actix_web::{
    Error,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    middleware::Next,
    web,
};

use crate::{auth::cookie, error::DeadSessionCookie, state::AppState};

pub async fn clear_dead_cookie(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let mut res = next.call(req).await?;
    let dead = res.response().extensions().contains::<DeadSessionCookie>();
    if !dead {
        return Ok(res);
    }
    let Some(state) = res.request().app_data::<web::Data<AppState>>().cloned() else {
        return Ok(res);
    };
    if res.request().cookie(state.settings.cookie_name()).is_some() {
        res.response_mut()
            .add_cookie(&cookie::removal(&state.settings))?;
    }
    Ok(res)
}
