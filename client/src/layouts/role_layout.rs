use hallpass_shared::Role;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api;
use crate::components::{NewDeviceNotice, ReauthDialog, error_banner, nav, spinner};
use crate::hooks::{use_session, use_session_initializer};
use crate::i18n::{Text, use_locale};
use crate::pages::PasswordRequired;
use crate::routes::{Route, after_login};
use crate::state::session::{SessionAction, SessionStatus};

#[derive(Properties, PartialEq)]
pub struct RoleLayoutProps {
    /// The role the page is for; `None` for pages every signed-in user has (the profile).
    #[prop_or_default]
    pub role: Option<Role>,
    pub children: Html,
}

/// The layout of every signed-in page: sends visitors without a session to the login page
/// and users of another role to their own dashboard, mounts the SessionInitializer, and
/// renders the navigation and any "was this you?" question around the page, and the
/// dialog that asks for the password again before a sensitive act; while an admin
/// demands a new password, the password form instead of the page.
#[component]
pub fn RoleLayout(props: &RoleLayoutProps) -> Html {
    let locale = use_locale();
    let session = use_session();
    let location = use_location();
    let route = use_route::<Route>().unwrap_or(Route::Root);
    let navigator = use_navigator();
    let signing_out = use_state(|| false);
    use_session_initializer();
    let sign_out = {
        let (signing_out, dispatcher) = (signing_out.clone(), session.dispatcher());
        Callback::from(move |_| {
            signing_out.set(true);
            let (signing_out, dispatcher, navigator) =
                (signing_out.clone(), dispatcher.clone(), navigator.clone());
            wasm_bindgen_futures::spawn_local(async move {
                // Whatever the answer, this tab forgets the session; a failed call leaves
                // it to expire on the server, and the user can revoke it from elsewhere.
                let _ = api::auth::logout().await;
                signing_out.set(false);
                dispatcher.dispatch(SessionAction::SignedOut);
                if let Some(navigator) = navigator {
                    navigator.push(&Route::Login { locale });
                }
            });
        })
    };

    match &session.status {
        SessionStatus::Loading => html! { { spinner(locale) } },
        SessionStatus::Unavailable(error) => html! {
            <main class="page narrow">
                { error_banner(locale, error, Text::SessionCheckFailed) }
                <button onclick={Callback::from(|_| reload_page())}>{ locale.text(Text::TryAgain) }</button>
            </main>
        },
        // To the login page, which brings the visitor back here once signed in.
        SessionStatus::Anonymous { .. } => {
            if let Some(location) = location {
                after_login::remember(location.path());
            }
            html! { <Redirect<Route> to={Route::Login { locale }} /> }
        }
        SessionStatus::Active(auth) => match props.role {
            Some(role) if role != auth.user.role => html! {
                <Redirect<Route> to={Route::dashboard(auth.user.role, locale)} />
            },
            _ => html! {
                <>
                    { nav(locale, &route, &auth.user, sign_out, *signing_out) }
                    <main id="main" class="page">
                        // Nothing else answers until the demanded password is chosen.
                        if auth.user.must_change_password {
                            <PasswordRequired email={auth.user.email.clone()} />
                        } else {
                            <NewDeviceNotice />
                            { props.children.clone() }
                        }
                    </main>
                    <ReauthDialog />
                </>
            },
        },
    }
}

/// A fresh start once the server is back: the whole page, so the check runs again.
fn reload_page() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}
