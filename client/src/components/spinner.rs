use yew::prelude::*;

use crate::i18n::{Locale, Text};

/// A polite "loading" line for screen readers and eyes alike.
pub fn spinner(locale: Locale) -> Html {
    html! {
        <p class="loading" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            { locale.text(Text::Loading) }
        </p>
    }
}
