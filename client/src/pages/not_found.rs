use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::locale_switcher;
use crate::i18n::{Text, use_locale};
use crate::routes::Route;

/// A path the app does not know. A known page under an unknown language (`/de/login`) is
/// sent to that page in the visitor's language instead.
#[component]
pub fn NotFound() -> Html {
    let locale = use_locale();
    let route = use_route::<Route>().unwrap_or(Route::Root);
    let path = use_location().map(|location| location.path().to_owned());
    if let Some(route) = path.as_deref().and_then(Route::from_unknown_locale) {
        return html! { <Redirect<Route> to={route} /> };
    }
    html! {
        <main id="main" class="page narrow centered">
            { locale_switcher(locale, &route) }
            <h1>{ locale.text(Text::NotFoundTitle) }</h1>
            <p>{ locale.text(Text::NotFoundBody) }</p>
            <Link<Route> to={Route::Home { locale }} classes="button">{ locale.text(Text::GoHome) }</Link<Route>>
        </main>
    }
}
