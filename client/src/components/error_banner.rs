use yew::prelude::*;

use crate::api::ApiError;
use crate::i18n::{Text, use_locale};

#[derive(Properties, PartialEq)]
pub struct ErrorBannerProps {
    pub error: ApiError,
    /// What was being attempted, e.g. "Could not load your sessions".
    pub context: Text,
}

/// An error the user should see, in their language, with the server's request id when
/// there is one so support can find the matching log line.
#[component]
pub fn ErrorBanner(props: &ErrorBannerProps) -> Html {
    let locale = use_locale();
    html! {
        <div class="banner error" role="alert">
            <strong>{ locale.text(props.context) }</strong>
            { " " }{ locale.error_message(&props.error) }
            if let Some(id) = props.error.request_id() {
                <span class="request-id">{ locale.text(Text::Reference) }{ " " }<code>{ id }</code></span>
            }
        </div>
    }
}
