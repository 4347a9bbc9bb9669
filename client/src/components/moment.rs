use chrono::{DateTime, Utc};
use yew::prelude::*;

use crate::i18n::Locale;
use crate::time::{iso, local_date_time};

/// An instant on a page: `text` (a relative time) on screen, the reader's own date and
/// time on hover, and the exact instant for machines (`datetime`).
pub fn moment(locale: Locale, at: DateTime<Utc>, text: String) -> Html {
    html! {
        <time datetime={iso(at)} title={local_date_time(locale, at)}>{ text }</time>
    }
}
