//! Clears the session cookie on answers that declared it dead (see
//! [`crate::error::DeadSessionCookie`]), including cookies that did not even decrypt.

use actix_web::{dev::ServiceResponse, http::Error};

use crate::{auth::cookie, config::Settings, error::DeadSessionCookie};

pub(super) fn clear_if_dead<B>(
    res: &mut ServiceResponse<B>,
    settings: &Settings,
) -> Result<(), Error> {
    let dead = res.response().extensions().contains::<DeadSessionCookie>();
    if dead && res.request().cookie(settings.cookie_name()).is_some() {
        res.response_mut().add_cookie(&cookie::removal(settings))?;
    }
    Ok(())
}
