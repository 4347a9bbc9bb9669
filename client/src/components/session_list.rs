use chrono::{DateTime, Utc};
use hallpass_shared::{SessionId, SessionView};
use yew::prelude::*;

use crate::components::{SessionCard, error_banner, spinner};
use crate::hooks::Load;
use crate::i18n::{Locale, Text};

/// What the cards of a [`session_list`] let the viewer do.
pub struct SessionActions {
    /// Revokes one session; never offered for the current one, which signs out instead.
    pub on_revoke: Callback<SessionId>,
    /// Names one session (the owner's own list only).
    pub on_rename: Option<Callback<(SessionId, String)>>,
    /// An action is in flight: buttons wait.
    pub busy: bool,
    /// What an empty list says.
    pub empty: Text,
}

/// Sessions as cards, with loading, error and empty states; relative times are measured
/// from `now`.
pub fn session_list(
    locale: Locale,
    now: DateTime<Utc>,
    sessions: &Load<Vec<SessionView>>,
    actions: &SessionActions,
) -> Html {
    match sessions {
        Load::Loading => spinner(locale),
        Load::Failed(error) => error_banner(locale, error, Text::SessionsLoadFailed),
        Load::Ready(list) if list.is_empty() => html! {
            <p class="empty">{ locale.text(actions.empty) }</p>
        },
        Load::Ready(list) => html! {
            <ul class="session-list">
                { for list.iter().map(|session| html! {
                    <SessionCard key={session.id.to_string()} session={session.clone()} {now}
                        busy={actions.busy}
                        on_rename={actions.on_rename.clone()}
                        on_revoke={(!session.is_current).then(|| actions.on_revoke.clone())} />
                }) }
            </ul>
        },
    }
}
