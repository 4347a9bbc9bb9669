use yew::prelude::*;

use crate::api::ApiError;
use crate::i18n::{Locale, Text};

/// An error the user should see, in their language, after `context` (what was being
/// attempted, e.g. "Could not load your sessions"), with the server's request id when
/// there is one so support can find the matching log line.
pub fn error_banner(locale: Locale, error: &ApiError, context: Text) -> Html {
    html! {
        <div class="banner error" role="alert">
            <strong>{ locale.text(context) }</strong>
            { " " }{ locale.error_message(error) }
            if let Some(id) = error.request_id() {
                <span class="request-id">{ locale.text(Text::Reference) }{ " " }<code>{ id }</code></span>
            }
        </div>
    }
}
