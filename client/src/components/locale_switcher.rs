use yew::prelude::*;
use yew_router::prelude::*;

use crate::i18n::{Locale, Text};
use crate::routes::Route;

/// Links to `route`, the page on screen, in every other language; the choice is
/// remembered.
pub fn locale_switcher(locale: Locale, route: &Route) -> Html {
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
