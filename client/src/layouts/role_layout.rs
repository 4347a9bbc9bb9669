use hallpass_shared::Role;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::{Nav, NewDeviceNotice, error_banner, spinner};
use crate::hooks::{use_session, use_session_initializer};
use crate::i18n::{Text, use_locale};
use crate::routes::{Route, after_login};
use crate::state::session::SessionStatus;

#[derive(Properties, PartialEq)]
pub struct RoleLayoutProps {
    /// The role the page is for; `None` for pages every signed-in user has (the profile).
    #[prop_or_default]
    pub role: Option<Role>,
    pub children: Html,
}

/// The layout of every signed-in page: sends visitors without a session to the login page
/// and users of another role to their own dashboard, mounts the SessionInitializer, and
/// renders the navigation and any "was this you?" question around the page.
#[component]
pub fn RoleLayout(props: &RoleLayoutProps) -> Html {
    let locale = use_locale();
    let session = use_session();
    use_session_initializer();

    match &session.status {
        SessionStatus::Loading => html! { { spinner(locale) } },
        SessionStatus::Unavailable(error) => html! {
            <main class="page narrow">
                { error_banner(locale, error, Text::SessionCheckFailed) }
                <button onclick={Callback::from(|_| reload_page())}>{ locale.text(Text::TryAgain) }</button>
            </main>
        },
        SessionStatus::Anonymous { .. } => html! { <ToLogin /> },
        SessionStatus::Active(auth) => match props.role {
            Some(role) if role != auth.user.role => html! {
                <Redirect<Route> to={Route::dashboard(auth.user.role, locale)} />
            },
            _ => html! {
                <>
                    <Nav user={auth.user.clone()} />
                    <main id="main" class="page">
                        <NewDeviceNotice />
                        { props.children.clone() }
                    </main>
                </>
            },
        },
    }
}

/// Sends a visitor without a session to the login page, which brings them back here
/// once they have signed in.
#[component]
fn ToLogin() -> Html {
    let locale = use_locale();
    let location = use_location();
    if let Some(location) = location {
        after_login::remember(location.path());
    }
    html! { <Redirect<Route> to={Route::Login { locale }} /> }
}

/// A fresh start once the server is back: the whole page, so the check runs again.
fn reload_page() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}
