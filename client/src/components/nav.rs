use hallpass_shared::{Role, UserView};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::locale_switcher;
use crate::i18n::{Locale, Text};
use crate::routes::Route;

/// The bar on top of every signed-in page, on `route`: home, profile, who is signed in,
/// language, and `sign_out` (waiting while `signing_out`).
pub fn nav(
    locale: Locale,
    route: &Route,
    user: &UserView,
    sign_out: Callback<MouseEvent>,
    signing_out: bool,
) -> Html {
    let dashboard = Route::dashboard(user.role, locale);
    html! {
        <header class="topbar">
            <a class="skip" href="#main">{ locale.text(Text::SkipToContent) }</a>
            <Link<Route> to={dashboard.clone()} classes="brand">{ "Hallpass" }</Link<Route>>
            <nav class="links" aria-label={locale.text(Text::MainNavigation)}>
                <Link<Route> to={dashboard}>{ locale.text(Text::Dashboard) }</Link<Route>>
                if user.role == Role::Admin {
                    <Link<Route> to={Route::AdminPolicies { locale }}>{ locale.text(Text::Policies) }</Link<Route>>
                }
                <Link<Route> to={Route::Profile { locale }}>{ locale.text(Text::Profile) }</Link<Route>>
            </nav>
            <span class="who">
                { &user.name }
                <span class={classes!("badge", user.role.as_str())}>{ locale.role(user.role) }</span>
            </span>
            { locale_switcher(locale, route) }
            <button class="secondary" onclick={sign_out} disabled={signing_out}>
                { locale.text(Text::SignOut) }
            </button>
        </header>
    }
}
