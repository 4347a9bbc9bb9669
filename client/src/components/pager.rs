use yew::prelude::*;

use crate::hooks::UsePagesHandle;
use crate::i18n::{Text, use_locale};

#[derive(Properties, PartialEq)]
pub struct PagerProps {
    pub pages: UsePagesHandle,
    /// The server's cursor for the page after this one, if there is one.
    pub next_cursor: Option<String>,
    /// Names the list for screen readers ("Users pages").
    pub label: AttrValue,
}

/// Previous / next buttons for a cursor-paged list; nothing when it fits on one page.
#[component]
pub fn Pager(props: &PagerProps) -> Html {
    let locale = use_locale();
    if !props.pages.has_previous() && props.next_cursor.is_none() {
        return html! {};
    }
    let previous = {
        let pages = props.pages.clone();
        Callback::from(move |_| pages.previous())
    };
    let next = {
        let pages = props.pages.clone();
        let cursor = props.next_cursor.clone();
        Callback::from(move |_| {
            if let Some(cursor) = cursor.clone() {
                pages.next(cursor);
            }
        })
    };
    html! {
        <nav class="pager" aria-label={props.label.clone()}>
            <button class="secondary" onclick={previous} disabled={!props.pages.has_previous()}>
                { locale.text(Text::Previous) }
            </button>
            <span>{ locale.page_number(props.pages.number()) }</span>
            <button class="secondary" onclick={next} disabled={props.next_cursor.is_none()}>
                { locale.text(Text::Next) }
            </button>
        </nav>
    }
}
