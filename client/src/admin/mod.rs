//! The admin console, built only into the bundle `admin.html` loads (the `admin`
//! feature): students and teachers never download it. The other bundle opens an admin
//! route with a full page load (see [`crate::routes`]).

mod audit_trail;
mod new_user_form;
mod policies;
mod user_account;
mod user_sessions;
mod user_table;

pub use policies::PoliciesPage;

use hallpass_shared::UserView;
use yew::prelude::*;

use audit_trail::AuditTrail;
use new_user_form::NewUserForm;
use user_account::UserAccount;
use user_sessions::UserSessions;
use user_table::{UserChange, UserTable};

use crate::i18n::{Locale, Text, use_locale};

/// What the admin's last action did; one at a time, so an older one never lingers.
#[derive(Clone, PartialEq)]
enum Done {
    Created(UserView),
    Changed(UserView, UserChange),
    SignedOut { email: String, count: u64 },
    Saved(UserView),
    Demanded(UserView),
    PasswordSet { email: String, count: u64 },
}

impl Done {
    fn message(&self, locale: Locale) -> String {
        match self {
            Self::Created(user) => locale.user_created(&user.email, user.role),
            Self::Changed(user, UserChange::Role) => locale.role_changed(&user.email, user.role),
            Self::Changed(user, UserChange::Deactivated) => locale.deactivated(&user.email),
            Self::Changed(user, UserChange::Reactivated) => locale.reactivated(&user.email),
            Self::SignedOut { email, count } => locale.sessions_signed_out(email, *count),
            Self::Saved(user) => locale.account_saved(&user.email),
            Self::Demanded(user) => {
                locale.password_demanded(&user.email, user.must_change_password)
            }
            Self::PasswordSet { email, count } => locale.password_set(email, *count),
        }
    }
}

/// The admin dashboard: every user, the form to add one just below them, the selected
/// user's account (name, email, a new password) and sessions, and the audit trail. Any change made in one part bumps `generation`
/// so the others fetch again, and is said in one status line that stays in view.
#[component]
pub fn AdminConsole() -> Html {
    let locale = use_locale();
    let selected = use_state(|| None::<UserView>);
    let generation = use_state(|| 0_u32);
    let done = use_state(|| None::<Done>);
    // The email of a user just added, which the table searches for so they show.
    let show = use_state(|| None::<String>);
    let bump = {
        let generation = generation.clone();
        move || generation.set(*generation + 1)
    };
    let on_select = {
        let selected = selected.clone();
        Callback::from(move |user: UserView| {
            let same = selected
                .as_ref()
                .is_some_and(|current| current.id == user.id);
            selected.set((!same).then_some(user));
        })
    };
    let on_user_changed = {
        let (selected, bump, done) = (selected.clone(), bump.clone(), done.clone());
        Callback::from(move |(user, change): (UserView, UserChange)| {
            if selected
                .as_ref()
                .is_some_and(|current| current.id == user.id)
            {
                selected.set(Some(user.clone()));
            }
            done.set(Some(Done::Changed(user, change)));
            bump();
        })
    };
    let on_created = {
        let (bump, done, show) = (bump.clone(), done.clone(), show.clone());
        Callback::from(move |user: UserView| {
            show.set(Some(user.email.clone()));
            done.set(Some(Done::Created(user)));
            bump();
        })
    };
    // The selected user, changed from their account card: shown as they now are, said,
    // and the rest fetched again; `follow` makes the table search for their email.
    let account_changed = |say: fn(UserView) -> Done, follow: bool| {
        let (selected, bump, done, show) =
            (selected.clone(), bump.clone(), done.clone(), show.clone());
        Callback::from(move |user: UserView| {
            if follow {
                show.set(Some(user.email.clone()));
            }
            selected.set(Some(user.clone()));
            done.set(Some(say(user)));
            bump();
        })
    };
    // A new email must still find the user in the table.
    let on_saved = account_changed(Done::Saved, true);
    let on_demanded = account_changed(Done::Demanded, false);
    // Sessions of the selected user signed out, counted: said, and the rest fetched again.
    let signed_out = |say: fn(String, u64) -> Done| {
        let (selected, bump, done) = (selected.clone(), bump.clone(), done.clone());
        Callback::from(move |count: u64| {
            if let Some(user) = &*selected {
                done.set(Some(say(user.email.clone(), count)));
            }
            bump();
        })
    };
    let on_password_set = signed_out(|email, count| Done::PasswordSet { email, count });
    let on_sessions_changed = signed_out(|email, count| Done::SignedOut { email, count });
    html! {
        <>
            <h1>{ locale.text(Text::AdminConsole) }</h1>
            <UserTable selected={selected.as_ref().map(|user| user.id)} {on_select}
                on_changed={on_user_changed} generation={*generation} show={(*show).clone()} />
            <NewUserForm {on_created} />
            if let Some(user) = &*selected {
                <UserAccount key={user.id.to_string()} user={user.clone()} {on_saved} {on_password_set} {on_demanded} />
                <UserSessions user={user.clone()} generation={*generation} on_changed={on_sessions_changed} />
            }
            <AuditTrail user={(*selected).clone()} generation={*generation} />
            <p class="admin-status" role="status" aria-live="polite">
                if let Some(done) = &*done {
                    <span class="banner ok">{ done.message(locale) }</span>
                }
            </p>
        </>
    }
}
