use chrono::{DateTime, Utc};
use yew::prelude::*;

use crate::i18n::use_locale;
use crate::time::{iso, local_date_time};

#[derive(Properties, PartialEq)]
pub struct MomentProps {
    pub at: DateTime<Utc>,
    /// What the page shows: a relative time ("3 minutes ago").
    pub text: String,
}

/// An instant on a page: `text` on screen, the reader's own date and time on hover, and
/// the exact instant for machines (`datetime`).
#[component]
pub fn Moment(props: &MomentProps) -> Html {
    let locale = use_locale();
    html! {
        <time datetime={iso(props.at)} title={local_date_time(locale, props.at)}>{ &props.text }</time>
    }
}
