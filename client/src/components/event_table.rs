use chrono::Utc;
use hallpass_shared::{Page, SessionEventView};
use yew::prelude::*;

use crate::components::{error_banner, moment, pager, spinner};
use crate::hooks::{Load, UsePagesHandle};
use crate::i18n::{Locale, Text};
use crate::places::place;
use crate::time::relative_past;

/// What [`event_table`] shows.
pub struct EventTable<'a> {
    pub events: &'a Load<Page<SessionEventView>>,
    pub pages: &'a UsePagesHandle,
    /// Whose event it was; pointless on a user's own activity.
    pub show_user: bool,
    /// Names the list for screen readers.
    pub label: &'static str,
}

/// Audit events, a page at a time, with loading, error and empty states; sign-ins say
/// where they were and whether the device was new.
pub fn event_table(locale: Locale, props: EventTable<'_>) -> Html {
    let now = Utc::now();
    let page = match props.events {
        Load::Loading => return html! { { spinner(locale) } },
        Load::Failed(error) => {
            return html! { { error_banner(locale, error, Text::EventsLoadFailed) } };
        }
        Load::Ready(page) if page.items.is_empty() => {
            return html! { <p class="empty">{ locale.text(Text::NoEvents) }</p> };
        }
        Load::Ready(page) => page,
    };
    let row = |event: &SessionEventView| {
        html! {
            <tr key={event.id.to_string()}>
                <td data-label={locale.text(Text::When)}>{ moment(locale, event.at, relative_past(locale, now, event.at)) }</td>
                <td data-label={locale.text(Text::EventKind)}>
                    <span>
                        <span class="event-kind">{ locale.event_kind(event.kind) }</span>
                        if event.new_device {
                            { " " }<span class="badge new-device">{ locale.text(Text::NewDevice) }</span>
                        }
                    </span>
                </td>
                if props.show_user {
                    <td data-label={locale.text(Text::User)}>{ event.user_email.clone().or_else(|| event.user_id.map(short_id)).unwrap_or_default() }</td>
                }
                <td data-label={locale.text(Text::IpAddress)}>
                    <span>
                        { event.ip_address.clone().unwrap_or_default() }
                        if let Some(location) = &event.location {
                            <span class="event-location">{ " · " }{ place(locale, location) }</span>
                        }
                    </span>
                </td>
                <td class="detail" data-label={locale.text(Text::Details)}>
                    <span>
                        if let Some(actor) = &event.actor_email {
                            <span class="actor">{ locale.done_by(actor) }</span>{ " " }
                        }
                        <code>{ detail_text(&event.detail) }</code>
                    </span>
                </td>
            </tr>
        }
    };
    html! {
        <>
            <div class="table-wrap">
                <table>
                    <thead><tr>
                        <th scope="col">{ locale.text(Text::When) }</th>
                        <th scope="col">{ locale.text(Text::EventKind) }</th>
                        if props.show_user {
                            <th scope="col">{ locale.text(Text::User) }</th>
                        }
                        <th scope="col">{ locale.text(Text::IpAddress) }</th>
                        <th scope="col">{ locale.text(Text::Details) }</th>
                    </tr></thead>
                    <tbody>{ for page.items.iter().map(row) }</tbody>
                </table>
            </div>
            { pager(locale, props.pages, page.next_cursor.clone(), props.label.into()) }
        </>
    }
}

/// The first block of a UUID: enough to tell apart users whose account is gone.
fn short_id(id: impl std::fmt::Display) -> String {
    id.to_string().chars().take(8).collect()
}

/// An event's detail object as `key=value` pairs, without the JSON punctuation; `by` is
/// left out (the event names who did it by email), and a change reads `from → to`.
fn detail_text(detail: &serde_json::Value) -> String {
    match detail {
        serde_json::Value::Object(fields) => fields
            .iter()
            .filter(|(key, _)| *key != "by")
            .map(|(key, value)| format!("{key}={}", plain(value)))
            .collect::<Vec<_>>()
            .join(" "),
        other => plain(other),
    }
}

/// One detail value in words.
fn plain(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Null => String::new(),
        Value::Bool(yes) => yes.to_string(),
        Value::Number(number) => number.to_string(),
        Value::String(text) => text.clone(),
        Value::Array(items) => items.iter().map(plain).collect::<Vec<_>>().join(", "),
        Value::Object(fields) => match (fields.get("from"), fields.get("to")) {
            (Some(from), Some(to)) if fields.len() == 2 => {
                format!("{} → {}", plain(from), plain(to))
            }
            _ => fields
                .iter()
                .map(|(key, value)| format!("{key}={}", plain(value)))
                .collect::<Vec<_>>()
                .join(" "),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_read_as_pairs() {
        let detail = serde_json::json!({"reason": "admin", "count": 2, "by": "5f0c…"});
        assert_eq!(detail_text(&detail), "count=2 reason=admin");
        let change = serde_json::json!({"role": {"from": "admin", "to": "student"}});
        assert_eq!(detail_text(&change), "role=admin → student");
        let nested = serde_json::json!({"name": {"from": null, "to": "School laptop"}, "ok": true});
        assert_eq!(detail_text(&nested), "name= → School laptop ok=true");
        assert_eq!(detail_text(&serde_json::Value::Null), "");
    }
}
