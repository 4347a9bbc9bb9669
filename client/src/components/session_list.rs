use hallpass_shared::SessionId;
use hallpass_shared::SessionView;
use yew::prelude::*;

use crate::components::{SessionCard, error_banner, spinner};
use crate::hooks::{Load, use_now};
use crate::i18n::{Text, use_locale};

#[derive(Properties, PartialEq)]
pub struct SessionListProps {
    pub sessions: Load<Vec<SessionView>>,
    /// Revokes one session; never offered for the current one, which signs out instead.
    pub on_revoke: Callback<SessionId>,
    /// Names one session (the owner's own list only).
    #[prop_or_default]
    pub on_rename: Option<Callback<(SessionId, String)>>,
    /// An action is in flight: buttons wait.
    pub busy: bool,
    /// What an empty list says.
    pub empty: Text,
}

/// Sessions as cards, with loading, error and empty states.
#[component]
pub fn SessionList(props: &SessionListProps) -> Html {
    let locale = use_locale();
    let now = use_now(30_000);
    match &props.sessions {
        Load::Loading => html! { { spinner(locale) } },
        Load::Failed(error) => html! {
            { error_banner(locale, error, Text::SessionsLoadFailed) }
        },
        Load::Ready(list) if list.is_empty() => html! {
            <p class="empty">{ locale.text(props.empty) }</p>
        },
        Load::Ready(list) => html! {
            <ul class="session-list">
                { for list.iter().map(|session| html! {
                    <SessionCard key={session.id.to_string()} session={session.clone()} {now}
                        busy={props.busy}
                        on_rename={props.on_rename.clone()}
                        on_revoke={(!session.is_current).then(|| props.on_revoke.clone())} />
                }) }
            </ul>
        },
    }
}
