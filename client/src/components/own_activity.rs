use hallpass_shared::PageQuery;
use yew::prelude::*;

use crate::api;
use crate::components::{EventTable, event_table};
use crate::hooks::{use_load, use_pages};
use crate::i18n::{Text, use_locale};

const PAGE_SIZE: u32 = 10;

#[derive(Properties, PartialEq)]
pub struct OwnActivityProps {
    /// Bumped by the page after an action that leaves events (a revocation, a password
    /// change).
    #[prop_or_default]
    pub generation: u32,
}

/// The signed-in user's own audit trail: sign-ins, failed attempts, revocations.
#[component]
pub fn OwnActivity(props: &OwnActivityProps) -> Html {
    let locale = use_locale();
    let pages = use_pages();
    let query = PageQuery {
        limit: Some(PAGE_SIZE),
        cursor: pages.cursor(),
    };
    let events = use_load((query, props.generation), |(query, _)| async move {
        api::sessions::events(&query).await
    });
    html! {
        <section class="card" aria-labelledby="activity-title">
            <h2 id="activity-title">{ locale.text(Text::RecentActivity) }</h2>
            <p class="hint">{ locale.text(Text::RecentActivityHint) }</p>
            { event_table(locale, EventTable {
                events: &events,
                pages: &pages,
                show_user: false,
                label: locale.text(Text::RecentActivity),
            }) }
        </section>
    }
}
