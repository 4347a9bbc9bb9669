use yew::prelude::*;

use crate::hooks::UsePagesHandle;
use crate::i18n::{Locale, Text};

/// Previous / next buttons for a cursor-paged list, named `label` for screen readers
/// ("Users"); nothing when the list fits on one page. `next_cursor` is the server's
/// cursor for the page after this one, if there is one.
pub fn pager(
    locale: Locale,
    pages: &UsePagesHandle,
    next_cursor: Option<String>,
    label: AttrValue,
) -> Html {
    if !pages.has_previous() && next_cursor.is_none() {
        return html! {};
    }
    let previous = {
        let pages = pages.clone();
        Callback::from(move |_| pages.previous())
    };
    let has_next = next_cursor.is_some();
    let next = {
        let pages = pages.clone();
        Callback::from(move |_| {
            if let Some(cursor) = next_cursor.clone() {
                pages.next(cursor);
            }
        })
    };
    html! {
        <nav class="pager" aria-label={label}>
            <button class="secondary" onclick={previous} disabled={!pages.has_previous()}>
                { locale.text(Text::Previous) }
            </button>
            <span>{ locale.page_number(pages.number()) }</span>
            <button class="secondary" onclick={next} disabled={!has_next}>
                { locale.text(Text::Next) }
            </button>
        </nav>
    }
}
