use yew::prelude::*;

use crate::components::{ActiveSessions, OwnActivity, PasswordForm};
use crate::hooks::use_session;
use crate::i18n::{Text, use_locale};

/// The account, its sessions, the password and the account's recent activity.
#[component]
pub fn ProfilePage() -> Html {
    let locale = use_locale();
    let session = use_session();
    // A password change signs out the other sessions: the panel then reloads.
    let generation = use_state(|| 0_u32);
    let on_changed = {
        let generation = generation.clone();
        Callback::from(move |()| generation.set(*generation + 1))
    };
    // Any action on the sessions leaves events: the activity list then reloads.
    let activity = use_state(|| 0_u32);
    let on_sessions_changed = {
        let activity = activity.clone();
        Callback::from(move |()| activity.set(*activity + 1))
    };
    html! {
        <>
            <h1>{ locale.text(Text::Profile) }</h1>
            if let Some(auth) = session.active() {
                <section class="card" aria-labelledby="account-title">
                    <h2 id="account-title">{ locale.text(Text::Account) }</h2>
                    <dl class="facts">
                        <dt>{ locale.text(Text::Name) }</dt><dd>{ &auth.user.name }</dd>
                        <dt>{ locale.text(Text::Email) }</dt><dd>{ &auth.user.email }</dd>
                        <dt>{ locale.text(Text::Role) }</dt><dd>{ locale.role(auth.user.role) }</dd>
                    </dl>
                </section>
            }
            <ActiveSessions generation={*generation} on_changed={on_sessions_changed} />
            if let Some(auth) = session.active() {
                <PasswordForm email={auth.user.email.clone()} {on_changed} />
            }
            <OwnActivity generation={*generation + *activity} />
        </>
    }
}
