use hallpass_shared::SessionId;
use hallpass_shared::UserView;
use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::components::{SessionActions, email_address, error_banner, session_list};
use crate::hooks::{Load, use_load, use_now};
use crate::i18n::{Text, use_locale};

#[derive(Properties, PartialEq)]
pub struct UserSessionsProps {
    pub user: UserView,
    /// Bumped by the console when something elsewhere changed sessions.
    pub generation: u32,
    /// Told how many sessions an action here signed out; the console answers with a new
    /// `generation`.
    pub on_changed: Callback<u64>,
}

/// Any user's active sessions, for an admin: revoke one, or all of them.
#[component]
pub fn UserSessions(props: &UserSessionsProps) -> Html {
    let locale = use_locale();
    let now = use_now(30_000);
    let id = props.user.id;
    let sessions = use_load((id, props.generation), |(id, _)| async move {
        api::admin::user_sessions(id)
            .await
            .map(|list| list.sessions)
    });
    let busy = use_state(|| false);
    let failure = use_state(|| None::<ApiError>);
    let confirming_all = use_state(|| false);

    let finish = {
        let (busy, failure) = (busy.clone(), failure.clone());
        let on_changed = props.on_changed.clone();
        // The console answers `on_changed` with a new generation, which reloads the list.
        move |result: Result<u64, ApiError>| {
            busy.set(false);
            match result {
                Ok(count) => {
                    failure.set(None);
                    on_changed.emit(count);
                }
                Err(error) => failure.set(Some(error)),
            }
        }
    };
    let on_revoke = {
        let (busy, finish) = (busy.clone(), finish.clone());
        Callback::from(move |session: SessionId| {
            busy.set(true);
            let finish = finish.clone();
            wasm_bindgen_futures::spawn_local(async move {
                finish(api::admin::revoke_session(session).await.map(|()| 1));
            });
        })
    };
    let revoke_all = {
        let (busy, confirming_all) = (busy.clone(), confirming_all.clone());
        Callback::from(move |_| {
            busy.set(true);
            confirming_all.set(false);
            let finish = finish.clone();
            wasm_bindgen_futures::spawn_local(async move {
                finish(
                    api::admin::revoke_user_sessions(id)
                        .await
                        .map(|done| done.revoked),
                );
            });
        })
    };
    let toggle_confirm = {
        let confirming_all = confirming_all.clone();
        Callback::from(move |_| confirming_all.set(!*confirming_all))
    };

    let count = match &*sessions {
        Load::Ready(list) => list.len(),
        _ => 0,
    };
    html! {
        <section class="card" aria-labelledby="user-sessions-title">
            <div class="card-head">
                <h2 id="user-sessions-title">{ locale.sessions_of(&props.user.name) }</h2>
                <span class="count">{ email_address(&props.user.email) }</span>
            </div>
            if let Some(error) = &*failure {
                { error_banner(locale, error, Text::ActionFailed) }
            }
            { session_list(locale, now, &sessions, &SessionActions {
                on_revoke,
                on_rename: None,
                busy: *busy,
                empty: Text::NoSessionsForUser,
            }) }
            <div class="card-foot">
                if *confirming_all {
                    <span role="alert">{ locale.text(Text::ConfirmRevokeAll) }</span>
                    <button class="danger" onclick={revoke_all} disabled={*busy}>{ locale.text(Text::RevokeAll) }</button>
                    <button class="secondary" onclick={toggle_confirm}>{ locale.text(Text::Cancel) }</button>
                } else {
                    <button class="danger" onclick={toggle_confirm} disabled={*busy || count == 0}>{ locale.text(Text::RevokeAll) }</button>
                }
            </div>
        </section>
    }
}
