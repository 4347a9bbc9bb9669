use hallpass_shared::LoginRequest;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api;
use crate::components::LocaleSwitcher;
use crate::dom::input_value;
use crate::hooks::use_session;
use crate::i18n::{Text, use_locale};
use crate::routes::Route;
use crate::state::session::{SessionAction, SessionStatus};

/// Email and password; errors inline; each role lands on its own dashboard.
#[component]
pub fn LoginPage() -> Html {
    let locale = use_locale();
    let session = use_session();
    let navigator = use_navigator();
    let email = use_node_ref();
    let password = use_node_ref();
    let sending = use_state(|| false);
    let problem = use_state(|| None::<String>);

    // Already signed in (a reload of /login, or the back button): straight to the dashboard.
    if let SessionStatus::Active(auth) = &session.status {
        return html! { <Redirect<Route> to={Route::dashboard(auth.user.role, locale)} /> };
    }
    let ended = matches!(session.status, SessionStatus::Anonymous { ended: true });

    let onsubmit = {
        let (email, password) = (email.clone(), password.clone());
        let (sending, problem) = (sending.clone(), problem.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let request = LoginRequest {
                email: input_value(&email).trim().to_owned(),
                password: input_value(&password),
            };
            if request.email.is_empty() || request.password.is_empty() {
                problem.set(Some(locale.text(Text::FillBothFields).to_owned()));
                return;
            }
            problem.set(None);
            sending.set(true);
            let (sending, problem) = (sending.clone(), problem.clone());
            let (dispatcher, navigator) = (session.dispatcher(), navigator.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::auth::login(&request).await {
                    Ok(auth) => {
                        let dashboard = Route::dashboard(auth.user.role, locale);
                        dispatcher.dispatch(SessionAction::SignedIn(auth));
                        if let Some(navigator) = navigator {
                            navigator.push(&dashboard);
                        }
                    }
                    Err(error) => {
                        sending.set(false);
                        problem.set(Some(locale.error_message(&error)));
                    }
                }
            });
        })
    };

    html! {
        <main id="main" class="page narrow login">
            <LocaleSwitcher />
            <h1 class="brand-title">{ "Hallpass" }</h1>
            <section class="card" aria-labelledby="login-title">
                <h2 id="login-title">{ locale.text(Text::SignIn) }</h2>
                if ended {
                    <p class="banner info" role="status">{ locale.text(Text::SessionEnded) }</p>
                }
                <form class="stack" {onsubmit} novalidate=true aria-describedby="login-problem">
                    <label for="email">{ locale.text(Text::Email) }</label>
                    <input id="email" name="email" type="email" ref={email} autocomplete="username"
                        required=true autofocus=true aria-invalid={problem.is_some().to_string()} />
                    <label for="password">{ locale.text(Text::Password) }</label>
                    <input id="password" name="password" type="password" ref={password}
                        autocomplete="current-password" required=true
                        aria-invalid={problem.is_some().to_string()} />
                    <p id="login-problem" class="field-error" role="alert">
                        { (*problem).clone().unwrap_or_default() }
                    </p>
                    <button type="submit" disabled={*sending}>
                        { locale.text(if *sending { Text::SigningIn } else { Text::SignIn }) }
                    </button>
                </form>
            </section>
        </main>
    }
}
