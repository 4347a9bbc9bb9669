use hallpass_shared::UserView;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api;
use crate::components::LocaleSwitcher;
use crate::hooks::use_session;
use crate::i18n::{Text, use_locale};
use crate::routes::Route;
use crate::state::session::SessionAction;

#[derive(Properties, PartialEq)]
pub struct NavProps {
    pub user: UserView,
}

/// The bar on top of every signed-in page: home, profile, language, sign out.
#[component]
pub fn Nav(props: &NavProps) -> Html {
    let locale = use_locale();
    let session = use_session();
    let navigator = use_navigator();
    let signing_out = use_state(|| false);

    let sign_out = {
        let signing_out = signing_out.clone();
        Callback::from(move |_| {
            signing_out.set(true);
            let dispatcher = session.dispatcher();
            let navigator = navigator.clone();
            let signing_out = signing_out.clone();
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

    let dashboard = Route::dashboard(props.user.role, locale);
    html! {
        <header class="topbar">
            <a class="skip" href="#main">{ locale.text(Text::SkipToContent) }</a>
            <Link<Route> to={dashboard.clone()} classes="brand">{ "Hallpass" }</Link<Route>>
            <nav class="links" aria-label={locale.text(Text::MainNavigation)}>
                <Link<Route> to={dashboard}>{ locale.text(Text::Dashboard) }</Link<Route>>
                <Link<Route> to={Route::Profile { locale }}>{ locale.text(Text::Profile) }</Link<Route>>
            </nav>
            <span class="who">
                { &props.user.name }
                <span class={classes!("badge", props.user.role.as_str())}>{ locale.role(props.user.role) }</span>
            </span>
            <LocaleSwitcher />
            <button class="secondary" onclick={sign_out} disabled={*signing_out}>
                { locale.text(Text::SignOut) }
            </button>
        </header>
    }
}
