use chrono::{DateTime, NaiveDate, Utc};
use hallpass_shared::{EventKind, EventQuery, SessionEventView, UserView};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::api;
use crate::components::{ErrorBanner, Pager, Spinner};
use crate::dom::input_value;
use crate::hooks::{Load, use_load, use_pages};
use crate::i18n::{Text, use_locale};
use crate::time::relative_past;

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

    let now = Utc::now();
    let row = |event: &SessionEventView| {
        html! {
            <tr key={event.id.to_string()}>
                <td><time datetime={event.at.to_rfc3339()} title={event.at.to_rfc3339()}>{ relative_past(locale, now, event.at) }</time></td>
                <td><span class="event-kind">{ locale.event_kind(event.kind) }</span></td>
                <td>{ event.user_email.clone().or_else(|| event.user_id.map(short_id)).unwrap_or_default() }</td>
                <td>{ event.ip_address.clone().unwrap_or_default() }</td>
                <td class="detail"><code>{ detail_text(&event.detail) }</code></td>
            </tr>
        }
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
            { match &*events {
                Load::Loading => html! { <Spinner /> },
                Load::Failed(error) => html! { <ErrorBanner error={error.clone()} context={Text::EventsLoadFailed} /> },
                Load::Ready(page) if page.items.is_empty() => html! { <p class="empty">{ locale.text(Text::NoEvents) }</p> },
                Load::Ready(page) => html! {
                    <>
                        <div class="table-wrap">
                            <table>
                                <thead><tr>
                                    <th scope="col">{ locale.text(Text::When) }</th>
                                    <th scope="col">{ locale.text(Text::EventKind) }</th>
                                    <th scope="col">{ locale.text(Text::User) }</th>
                                    <th scope="col">{ locale.text(Text::IpAddress) }</th>
                                    <th scope="col">{ locale.text(Text::Details) }</th>
                                </tr></thead>
                                <tbody>{ for page.items.iter().map(row) }</tbody>
                            </table>
                        </div>
                        <Pager pages={pages.clone()} next_cursor={page.next_cursor.clone()}
                            label={locale.text(Text::AuditTrail)} />
                    </>
                },
            } }
        </section>
    }
}

/// The first block of a UUID: enough to tell apart users whose account is gone.
fn short_id(id: uuid::Uuid) -> String {
    id.to_string().chars().take(8).collect()
}

/// An event's detail object as `key=value` pairs, without the JSON punctuation.
fn detail_text(detail: &serde_json::Value) -> String {
    match detail {
        serde_json::Value::Object(fields) => fields
            .iter()
            .map(|(key, value)| match value {
                serde_json::Value::String(text) => format!("{key}={text}"),
                other => format!("{key}={other}"),
            })
            .collect::<Vec<_>>()
            .join(" "),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_read_as_pairs() {
        let detail = serde_json::json!({"reason": "admin", "count": 2});
        assert_eq!(detail_text(&detail), "count=2 reason=admin");
        assert_eq!(detail_text(&serde_json::Value::Null), "");
    }

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
