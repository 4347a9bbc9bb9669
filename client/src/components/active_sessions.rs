use gloo_events::EventListener;
use hallpass_shared::{SessionId, SessionView};
use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::components::{SessionActions, error_banner, session_list};
use crate::hooks::{Load, use_load, use_now};
use crate::i18n::{Text, use_locale};
use crate::platform::label;

#[derive(Properties, PartialEq, Default)]
pub struct ActiveSessionsProps {
    /// Bumped by the page when something elsewhere changed the sessions (a password change).
    #[prop_or_default]
    pub generation: u32,
    /// Told after each action here (the account's activity has grown).
    #[prop_or_default]
    pub on_changed: Callback<()>,
}

/// What the last action on the panel did, shown above the list.
#[derive(Clone, PartialEq)]
enum Outcome {
    /// Signed out the session so named.
    Revoked(String),
    Renamed,
    RevokedOthers(u64),
    Failed(ApiError),
}

/// The profile page's Active Sessions panel: this device first, then the caller's other
/// sessions, newest first; rename one, revoke one, or sign out every other. Reloads after
/// each action and when the window regains focus.
#[component]
pub fn ActiveSessions(props: &ActiveSessionsProps) -> Html {
    let locale = use_locale();
    let now = use_now(30_000);
    let sessions = use_load(props.generation, |_| async {
        api::sessions::list()
            .await
            .map(|list| this_device_first(list.sessions))
    });
    {
        // A device signed in elsewhere shows up when the user comes back to this window.
        let sessions = sessions.clone();
        use_effect_with((), move |_| {
            let on_focus = web_sys::window()
                .map(|window| EventListener::new(&window, "focus", move |_| sessions.reload()));
            move || drop(on_focus)
        });
    }
    let busy = use_state(|| false);
    let outcome = use_state(|| None::<Outcome>);
    let confirming_others = use_state(|| false);
    // Keyboard focus lands on what an action did (the button that did it is gone).
    let outcome_ref = use_node_ref();
    {
        let outcome_ref = outcome_ref.clone();
        use_effect_with((*outcome).clone(), move |_| {
            if let Some(banner) = outcome_ref.cast::<web_sys::HtmlElement>() {
                let _ = banner.focus();
            }
        });
    }

    // Shows what an action did and reloads the list.
    let finish = {
        let (sessions, busy, outcome) = (sessions.clone(), busy.clone(), outcome.clone());
        let on_changed = props.on_changed.clone();
        move |result: Result<Outcome, ApiError>| {
            outcome.set(Some(result.unwrap_or_else(Outcome::Failed)));
            busy.set(false);
            sessions.reload();
            on_changed.emit(());
        }
    };
    let on_revoke = {
        let (busy, finish, sessions) = (busy.clone(), finish.clone(), sessions.clone());
        Callback::from(move |id: SessionId| {
            let name = match &*sessions {
                Load::Ready(list) => list.iter().find(|session| session.id == id),
                _ => None,
            }
            .map(|session| label(locale, session))
            .unwrap_or_default();
            busy.set(true);
            let finish = finish.clone();
            wasm_bindgen_futures::spawn_local(async move {
                finish(
                    api::sessions::revoke(id)
                        .await
                        .map(|()| Outcome::Revoked(name)),
                );
            });
        })
    };
    let on_rename = {
        let (busy, finish) = (busy.clone(), finish.clone());
        Callback::from(move |(id, name): (SessionId, String)| {
            busy.set(true);
            let finish = finish.clone();
            wasm_bindgen_futures::spawn_local(async move {
                finish(
                    api::sessions::rename(id, name)
                        .await
                        .map(|_| Outcome::Renamed),
                );
            });
        })
    };
    let revoke_others = {
        let (busy, confirming_others) = (busy.clone(), confirming_others.clone());
        Callback::from(move |_| {
            busy.set(true);
            confirming_others.set(false);
            let finish = finish.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let revoked = api::sessions::revoke_others().await;
                finish(revoked.map(|done| Outcome::RevokedOthers(done.revoked)));
            });
        })
    };
    let toggle_confirm = {
        let confirming_others = confirming_others.clone();
        Callback::from(move |_| confirming_others.set(!*confirming_others))
    };
    let refresh = {
        let sessions = sessions.clone();
        Callback::from(move |_| sessions.reload())
    };

    let others = match &*sessions {
        Load::Ready(list) => list.iter().filter(|session| !session.is_current).count(),
        _ => 0,
    };

    html! {
        <section class="card" aria-labelledby="active-sessions-title">
            <div class="card-head">
                <h2 id="active-sessions-title">{ locale.text(Text::ActiveSessions) }</h2>
                <button class="secondary" onclick={refresh} disabled={*busy}>{ locale.text(Text::Refresh) }</button>
            </div>
            <p class="hint">{ locale.text(Text::ActiveSessionsHint) }</p>
            <div aria-live="polite">
                { match &*outcome {
                    Some(Outcome::Revoked(name)) => html! { <p class="banner ok" tabindex="-1" ref={outcome_ref.clone()}>{ locale.session_signed_out(name) }</p> },
                    Some(Outcome::Renamed) => html! { <p class="banner ok" tabindex="-1" ref={outcome_ref.clone()}>{ locale.text(Text::SessionRenamed) }</p> },
                    Some(Outcome::RevokedOthers(n)) => html! { <p class="banner ok" tabindex="-1" ref={outcome_ref.clone()}>{ locale.signed_out_others(*n) }</p> },
                    Some(Outcome::Failed(error)) => html! { { error_banner(locale, error, Text::ActionFailed) } },
                    None => html! {},
                } }
            </div>
            { session_list(locale, now, &sessions, &SessionActions {
                on_revoke,
                on_rename: Some(on_rename),
                busy: *busy,
                empty: Text::NoSessions,
            }) }
            <div class="card-foot">
                if *confirming_others {
                    <span role="alert">{ locale.text(Text::ConfirmSignOutOthers) }</span>
                    <button class="danger" onclick={revoke_others} disabled={*busy}>{ locale.text(Text::SignOutOthers) }</button>
                    <button class="secondary" onclick={toggle_confirm}>{ locale.text(Text::Cancel) }</button>
                } else {
                    <button class="danger" onclick={toggle_confirm} disabled={*busy || others == 0}>
                        { locale.text(Text::SignOutOthers) }
                    </button>
                }
            </div>
        </section>
    }
}

/// The current session first; the others keep the server's newest-first order.
fn this_device_first(mut sessions: Vec<SessionView>) -> Vec<SessionView> {
    sessions.sort_by_key(|session| !session.is_current);
    sessions
}
