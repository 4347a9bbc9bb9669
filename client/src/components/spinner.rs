use yew::prelude::*;

use crate::i18n::{Text, use_locale};

/// A polite "loading" line for screen readers and eyes alike.
#[component]
pub fn Spinner() -> Html {
    let locale = use_locale();
    html! {
        <p class="loading" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            { locale.text(Text::Loading) }
        </p>
    }
}
