use hallpass_shared::UserView;
use yew::prelude::*;

use crate::components::{AuditTrail, NewUserForm, UserSessions, UserTable};
use crate::i18n::{Text, use_locale};

/// The admin dashboard: every user, the selected user's sessions, the audit trail, and
/// a form to add an account.
/// Any change made in one part bumps `generation` so the others fetch again.
#[component]
pub fn AdminConsole() -> Html {
    let locale = use_locale();
    let selected = use_state(|| None::<UserView>);
    let generation = use_state(|| 0_u32);
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
        let (selected, bump) = (selected.clone(), bump.clone());
        Callback::from(move |user: UserView| {
            if selected
                .as_ref()
                .is_some_and(|current| current.id == user.id)
            {
                selected.set(Some(user));
            }
            bump();
        })
    };
    let on_created = {
        let bump = bump.clone();
        Callback::from(move |_: UserView| bump())
    };
    let on_sessions_changed = Callback::from(move |()| bump());
    html! {
        <>
            <h1>{ locale.text(Text::AdminConsole) }</h1>
            <UserTable selected={selected.as_ref().map(|user| user.id)} {on_select}
                on_changed={on_user_changed} generation={*generation} />
            if let Some(user) = &*selected {
                <UserSessions user={user.clone()} generation={*generation} on_changed={on_sessions_changed} />
            }
            <AuditTrail user={(*selected).clone()} generation={*generation} />
            <NewUserForm {on_created} />
        </>
    }
}
