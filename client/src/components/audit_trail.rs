use chrono::{DateTime, NaiveDate, Utc};
use hallpass_shared::{EventKind, EventQuery, UserView};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::api;
use crate::components::EventTable;
use crate::dom::input_value;
use crate::hooks::{use_load, use_pages};
use crate::i18n::{Text, use_locale};

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
            from: self.from.map(start_of),
            // The whole of the last day.
            to: self.to.and_then(|day| day.succ_opt()).map(start_of),
            limit: Some(PAGE_SIZE),
            cursor,
            ..EventQuery::default()
        }
    }
}

fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

/// The audit trail, newest first, filtered by event kind, dates and the selected user.
#[component]
pub fn AuditTrail(props: &AuditTrailProps) -> Html {
    let locale = use_locale();
    let filters = use_state(Filters::default);
    let pages = use_pages();
    let query = filters.query(props.user.as_ref(), pages.cursor());
    let events = use_load((query, props.generation), |(query, _)| async move {
        api::admin::events(&query).await
    });
    let (kind, from, to) = (use_node_ref(), use_node_ref(), use_node_ref());

    let onsubmit = {
        let (filters, pages) = (filters.clone(), pages.clone());
        let (kind, from, to) = (kind.clone(), from.clone(), to.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let date = |node: &NodeRef| input_value(node).parse::<NaiveDate>().ok();
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

    html! {
        <section class="card" aria-labelledby="audit-title">
            <div class="card-head">
                <h2 id="audit-title">{ locale.text(Text::AuditTrail) }</h2>
                if let Some(user) = &props.user {
                    <span class="count">{ locale.only_user(&user.email) }</span>
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
            <EventTable events={(*events).clone()} {pages} show_user=true
                label={locale.text(Text::AuditTrail)} />
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
        assert_eq!(
            query.to.map(|at| at.to_rfc3339()),
            Some("2026-11-29T00:00:00+00:00".to_owned())
        );
    }
}
