use hallpass_shared::PageQuery;
use yew::prelude::*;

use crate::api;
use crate::components::{ActiveSessions, EventTable, PasswordForm, email_address, event_table};
use crate::hooks::{use_load, use_pages, use_session};
use crate::i18n::{Text, use_locale};

/// Events shown a page at a time in the account's recent activity.
const ACTIVITY_PAGE: u32 = 10;

/// The account, its sessions, the password and the account's recent activity (its own
/// audit trail: sign-ins, failed attempts, revocations).
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
    let pages = use_pages();
    let query = PageQuery {
        limit: Some(ACTIVITY_PAGE),
        cursor: pages.cursor(),
    };
    let events = use_load((query, *generation + *activity), |(query, _)| async move {
        api::sessions::events(&query).await
    });
    html! {
        <>
            <h1>{ locale.text(Text::Profile) }</h1>
            if let Some(auth) = session.active() {
                <section class="card" aria-labelledby="account-title">
                    <h2 id="account-title">{ locale.text(Text::Account) }</h2>
                    <dl class="facts">
                        <dt>{ locale.text(Text::Name) }</dt><dd>{ &auth.user.name }</dd>
                        <dt>{ locale.text(Text::Email) }</dt><dd>{ email_address(&auth.user.email) }</dd>
                        <dt>{ locale.text(Text::Role) }</dt><dd>{ locale.role(auth.user.role) }</dd>
                    </dl>
                </section>
            }
            <ActiveSessions generation={*generation} on_changed={on_sessions_changed} />
            if let Some(auth) = session.active() {
                <PasswordForm email={auth.user.email.clone()} {on_changed} />
            }
            <section class="card" aria-labelledby="activity-title">
                <h2 id="activity-title">{ locale.text(Text::RecentActivity) }</h2>
                <p class="hint">{ locale.text(Text::RecentActivityHint) }</p>
                { event_table(locale, EventTable {
                    events: &events,
                    pages: &pages,
                    show_user: false,
                    label: locale.text(Text::RecentActivity),
                    reader: session.active().map(|auth| auth.user.email.as_str()),
                }) }
            </section>
        </>
    }
}
