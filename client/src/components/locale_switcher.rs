use yew::prelude::*;
use yew_router::prelude::*;

use crate::i18n::{Locale, Text, use_locale};
use crate::routes::Route;

/// Links to the current page in every other language; the choice is remembered.
#[component]
pub fn LocaleSwitcher() -> Html {
    let locale = use_locale();
    let route = use_route::<Route>().unwrap_or(Route::Root);
    html! {
        <nav class="locales" aria-label={locale.text(Text::Language)}>
            { for Locale::ALL.into_iter().map(|other| {
                let remember = Callback::from(move |_| other.remember());
                if other == locale {
                    html! { <span class="locale current" aria-current="true" lang={other.tag()}>{ other.name() }</span> }
                } else {
                    html! {
                        <span onclick={remember} lang={other.tag()}>
                            <Link<Route> to={route.in_locale(other)} classes="locale">{ other.name() }</Link<Route>>
                        </span>
                    }
                }
            }) }
        </nav>
    }
}
