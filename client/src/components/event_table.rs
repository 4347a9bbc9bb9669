use chrono::Utc;
use hallpass_shared::{Page, SessionEventView};
use yew::prelude::*;

use crate::components::{email_address, error_banner, moment, pager, spinner};
use crate::event_sentences::{same_act, sentence};
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
    /// The reader's email: what they did reads "You …".
    pub reader: Option<&'a str>,
}

/// Audit events as sentences, a page at a time, with loading, error and empty states;
/// sign-ins say where they were and whether the device was new.
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
    let row = |(event, count): (&SessionEventView, usize)| {
        html! {
            <tr key={event.id.to_string()}>
                <td data-label={locale.text(Text::When)}>{ moment(locale, event.at, relative_past(locale, now, event.at)) }</td>
                <td data-label={locale.text(Text::EventKind)}>
                    <span>
                        <span class="event-sentence">{ sentence(locale, event, count, props.reader) }</span>
                        if event.new_device {
                            { " " }<span class="badge new-device">{ locale.text(Text::NewDevice) }</span>
                        }
                    </span>
                </td>
                if props.show_user {
                    <td data-label={locale.text(Text::User)}>{ match &event.user_email {
                        Some(email) => email_address(email),
                        None => html! { event.user_id.map(short_id).unwrap_or_default() },
                    } }</td>
                }
                <td data-label={locale.text(Text::IpAddress)}>
                    <span>
                        { event.ip_address.clone().unwrap_or_default() }
                        if let Some(location) = &event.location {
                            <span class="event-location">{ " · " }{ place(locale, location) }</span>
                        }
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
                    </tr></thead>
                    <tbody>{ for acts(&page.items).map(row) }</tbody>
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

/// Each event with how many it stands for: the sessions one revocation signed out
/// together read as one line ("Ms Martin signed out 2 sessions").
fn acts(events: &[SessionEventView]) -> impl Iterator<Item = (&SessionEventView, usize)> {
    let mut rest = events;
    std::iter::from_fn(move || {
        let (first, _) = rest.split_first()?;
        let count = 1 + rest
            .windows(2)
            .take_while(|pair| same_act(&pair[0], &pair[1]))
            .count();
        rest = &rest[count..];
        Some((first, count))
    })
}
