use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::spinner;
use crate::hooks::use_session;
use crate::i18n::use_locale;
use crate::routes::Route;
use crate::state::session::SessionStatus;

/// `/` and `/{locale}`: the user's dashboard when signed in, the login page otherwise.
#[component]
pub fn HomeRedirect() -> Html {
    let locale = use_locale();
    let session = use_session();
    match &session.status {
        SessionStatus::Loading => html! { { spinner(locale) } },
        SessionStatus::Active(auth) => html! {
            <Redirect<Route> to={Route::dashboard(auth.user.role, locale)} />
        },
        SessionStatus::Anonymous { .. } | SessionStatus::Unavailable(_) => html! {
            <Redirect<Route> to={Route::Login { locale }} />
        },
    }
}
