use chrono::NaiveDate;
use hallpass_shared::{EventKind, EventQuery, UserView};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::api;
use crate::components::{EventTable, event_table};
use crate::dom::input_value;
use crate::hooks::{use_load, use_pages, use_session};
use crate::i18n::{Text, use_locale};
use crate::time::{input_date, local_midnight};

const PAGE_SIZE: u32 = 25;

#[derive(Properties, PartialEq)]
pub struct AuditTrailProps {
    /// Only this user's events, when set.
    pub user: Option<UserView>,
    /// Bumped by the console after any change, so new events show up.
    pub generation: u32,
}

/// What the filter form holds.
#[derive(Debug, Clone, Default, PartialEq)]
struct Filters {
    kind: Option<EventKind>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

impl Filters {
    fn query(&self, user: Option<&UserView>, cursor: Option<String>) -> EventQuery {
        EventQuery {
            user_id: user.map(|user| user.id),
            kind: self.kind,
            from: self.from.map(local_midnight),
            // The whole of the last day.
            to: self.to.and_then(|day| day.succ_opt()).map(local_midnight),
            limit: Some(PAGE_SIZE),
            cursor,
            ..EventQuery::default()
        }
    }
}

/// The audit trail, newest first, filtered by event kind, days (the admin's own days) and
/// the selected user, a filter that can be cleared here.
#[component]
pub fn AuditTrail(props: &AuditTrailProps) -> Html {
    let locale = use_locale();
    let session = use_session();
    let filters = use_state(Filters::default);
    let pages = use_pages();
    // The selected user filters the trail until the admin clears it (or selects another).
    let user = use_state(|| props.user.clone());
    {
        let (user, pages) = (user.clone(), pages.clone());
        use_effect_with(props.user.clone(), move |selected| {
            user.set(selected.clone());
            pages.reset();
        });
    }
    let reversed = use_state(|| false);
    let query = filters.query(user.as_ref(), pages.cursor());
    let events = use_load((query, props.generation), |(query, _)| async move {
        api::admin::events(&query).await
    });
    let (kind, from, to) = (use_node_ref(), use_node_ref(), use_node_ref());

    let onsubmit = {
        let (filters, pages, reversed) = (filters.clone(), pages.clone(), reversed.clone());
        let (kind, from, to) = (kind.clone(), from.clone(), to.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let date = |node: &NodeRef| input_date(&input_value(node));
            if let (Some(first), Some(last)) = (date(&from), date(&to))
                && first > last
            {
                reversed.set(true);
                return;
            }
            reversed.set(false);
            filters.set(Filters {
                kind: kind
                    .cast::<HtmlSelectElement>()
                    .and_then(|select| select.value().parse().ok()),
                from: date(&from),
                to: date(&to),
            });
            pages.reset();
        })
    };

    let clear_user = {
        let (user, pages) = (user.clone(), pages.clone());
        Callback::from(move |_| {
            user.set(None);
            pages.reset();
        })
    };

    html! {
        <section class="card" aria-labelledby="audit-title">
            <div class="card-head">
                <h2 id="audit-title">{ locale.text(Text::AuditTrail) }</h2>
                if let Some(shown) = &*user {
                    <span class="count">
                        { locale.only_user(&shown.email) }
                        <button type="button" class="secondary" onclick={clear_user}
                            aria-label={locale.show_everyone_instead_of(&shown.email)}>
                            { locale.text(Text::ShowEveryone) }
                        </button>
                    </span>
                }
            </div>
            <form class="filters" {onsubmit}>
                <label>
                    { locale.text(Text::EventKind) }
                    <select ref={kind}>
                        <option value="" selected={filters.kind.is_none()}>{ locale.text(Text::AllEvents) }</option>
                        { for EventKind::ALL.into_iter().map(|kind| html! {
                            <option value={kind.as_str()} selected={filters.kind == Some(kind)}>{ locale.event_kind(kind) }</option>
                        }) }
                    </select>
                </label>
                <label>{ locale.text(Text::From) }<input type="date" ref={from} /></label>
                <label>{ locale.text(Text::To) }<input type="date" ref={to} /></label>
                <button type="submit">{ locale.text(Text::Filter) }</button>
            </form>
            if *reversed {
                <p class="field-error" role="alert">{ locale.text(Text::DatesReversed) }</p>
            }
            { event_table(locale, EventTable {
                events: &events,
                pages: &pages,
                show_user: true,
                label: locale.text(Text::AuditTrail),
                reader: session.active().map(|auth| auth.user.email.as_str()),
            }) }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_day_is_included_whole() {
        let filters = Filters {
            to: NaiveDate::from_ymd_opt(2026, 11, 28),
            ..Filters::default()
        };
        let query = filters.query(None, None);
        // On the host there is no browser clock: the reader's day is the UTC day.
        assert_eq!(
            query.to.map(|at| at.to_rfc3339()),
            Some("2026-11-29T00:00:00+00:00".to_owned())
        );
    }
}
