use yew::prelude::*;

use crate::components::PasswordForm;
use crate::hooks::use_session;
use crate::i18n::{Text, use_locale};
use crate::state::session::check_session;

#[derive(Properties, PartialEq)]
pub struct PasswordRequiredProps {
    pub email: AttrValue,
}

/// What every signed-in page shows while an admin demands a new password: why, and the
/// password form. Once changed, the session is asked again, and the page the user opened
/// appears.
#[component]
pub fn PasswordRequired(props: &PasswordRequiredProps) -> Html {
    let locale = use_locale();
    let session = use_session();
    let on_changed = {
        let dispatcher = session.dispatcher();
        Callback::from(move |()| check_session(dispatcher.clone()))
    };
    html! {
        <>
            <h1>{ locale.text(Text::PasswordRequiredTitle) }</h1>
            <p class="banner info" role="status">{ locale.text(Text::PasswordRequiredBody) }</p>
            <PasswordForm email={props.email.clone()} {on_changed} />
        </>
    }
}
