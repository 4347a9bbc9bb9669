use hallpass_shared::{ErrorCode, LoginRequest, RevokedReason, paths};
use web_sys::HtmlInputElement;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api;
use crate::components::locale_switcher;
use crate::dom::input_value;
use crate::hooks::use_session;
use crate::i18n::{Text, use_locale};
use crate::routes::{Route, after_login};
use crate::state::session::{Departure, SessionAction, SessionStatus};

/// Email and password; errors inline; each role lands on its own dashboard.
#[component]
pub fn LoginPage() -> Html {
    let locale = use_locale();
    let route = use_route::<Route>().unwrap_or(Route::Root);
    let session = use_session();
    let email = use_node_ref();
    let password = use_node_ref();
    let shared = use_node_ref();
    let sending = use_state(|| false);
    let problem = use_state(|| None::<String>);
    // Where the visitor was going when they were sent here, if anywhere: a page of this
    // app, or (from another app of the platform, through forward-auth) a URL.
    let next = use_state(after_login::page);
    let return_to = use_state(return_to);

    // Already signed in (a reload of /login, or the back button): straight to the dashboard.
    // Signed in (just now, or already: a reload of /login, the back button): on to where
    // the visitor was going, else their dashboard.
    if let SessionStatus::Active(auth) = &session.status {
        if let Some(target) = (*return_to).as_deref() {
            after_login::forget();
            go_back_to(target);
            return html! {
                <main id="main" class="page narrow login">
                    <p class="banner info" role="status">{ locale.text(Text::TakingYouBack) }</p>
                </main>
            };
        }
        let page = (*next)
            .clone()
            .unwrap_or_else(|| Route::dashboard(auth.user.role, locale));
        after_login::forget();
        return html! { <Redirect<Route> to={page} /> };
    }
    let farewell = match session.status {
        SessionStatus::Anonymous {
            departure: Departure::SignedOut,
        } => Some(Text::SignedOutHere),
        SessionStatus::Anonymous {
            departure: Departure::Ended { code, reason },
        } => Some(why_it_ended(code, reason)),
        _ => None,
    };

    let onsubmit = {
        let (email, password, shared) = (email.clone(), password.clone(), shared.clone());
        let (sending, problem) = (sending.clone(), problem.clone());
        Callback::from(move |event: SubmitEvent| {
            let password = password.clone();
            event.prevent_default();
            let shared_device = shared
                .cast::<HtmlInputElement>()
                .is_some_and(|input| input.checked());
            shared_computer::remember(shared_device);
            let request = LoginRequest {
                email: input_value(&email).trim().to_owned(),
                password: input_value(&password),
                token: false,
                shared_device,
            };
            if request.email.is_empty() || request.password.is_empty() {
                problem.set(Some(locale.text(Text::FillBothFields).to_owned()));
                return;
            }
            problem.set(None);
            sending.set(true);
            let (sending, problem) = (sending.clone(), problem.clone());
            let dispatcher = session.dispatcher();
            wasm_bindgen_futures::spawn_local(async move {
                match api::auth::login(&request).await {
                    // The page then sends the visitor on (above).
                    Ok(auth) => dispatcher.dispatch(SessionAction::SignedIn(auth)),
                    Err(error) => {
                        sending.set(false);
                        problem.set(Some(locale.error_message(&error)));
                        // The button was disabled while waiting and lost the focus: the
                        // password, selected, is what the user fixes next.
                        if let Some(input) = password.cast::<HtmlInputElement>() {
                            let _ = input.focus();
                            input.select();
                        }
                    }
                }
            });
        })
    };

    html! {
        <main id="main" class="page narrow login">
            { locale_switcher(locale, &route) }
            <h1 class="brand-title">{ "Hallpass" }</h1>
            <section class="card" aria-labelledby="login-title">
                <h2 id="login-title">{ locale.text(Text::SignIn) }</h2>
                if let Some(farewell) = farewell {
                    <p class="banner info" role="status">{ locale.text(farewell) }</p>
                }
                <form class="stack" {onsubmit} novalidate=true aria-describedby="login-problem">
                    <label for="email">{ locale.text(Text::Email) }</label>
                    <input id="email" name="email" type="email" ref={email} autocomplete="username"
                        required=true autofocus=true aria-invalid={problem.is_some().to_string()} />
                    <label for="password">{ locale.text(Text::Password) }</label>
                    <input id="password" name="password" type="password" ref={password}
                        autocomplete="current-password" required=true
                        aria-invalid={problem.is_some().to_string()} />
                    <div class="checkbox">
                        <input id="shared-device" type="checkbox" ref={shared}
                            checked={shared_computer::remembered()}
                            aria-describedby="shared-device-hint" />
                        <label for="shared-device">{ locale.text(Text::SharedComputer) }</label>
                    </div>
                    <small id="shared-device-hint" class="hint">{ locale.text(Text::SharedComputerHint) }</small>
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

/// The `return_to` of this page's address: the URL of another app of the platform that
/// sent the browser here to sign in.
fn return_to() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let encoded = search
        .trim_start_matches('?')
        .split('&')
        .find_map(|pair| pair.strip_prefix("return_to="))?;
    let decoded = js_sys::decode_uri_component(&encoded.replace('+', " ")).ok()?;
    Some(String::from(decoded)).filter(|target| !target.is_empty())
}

/// Leaves for `target` through the server, which sends the browser there only when its
/// origin is one of the platform's (else to this app's start).
fn go_back_to(target: &str) {
    if let Some(window) = web_sys::window() {
        let to = String::from(js_sys::encode_uri_component(target));
        let _ = window
            .location()
            .assign(&format!("{}?to={to}", paths::RETURN));
    }
}

/// What the login page says to a browser whose session was ended elsewhere.
fn why_it_ended(code: ErrorCode, reason: Option<RevokedReason>) -> Text {
    match (code, reason) {
        (ErrorCode::SessionExpired, _) => Text::EndedExpired,
        (ErrorCode::UserInactive, _) | (_, Some(RevokedReason::UserDeactivated)) => {
            Text::AccountDeactivated
        }
        (_, Some(RevokedReason::User | RevokedReason::Others)) => Text::EndedElsewhere,
        (_, Some(RevokedReason::Admin)) => Text::EndedByAdmin,
        (_, Some(RevokedReason::PasswordChange)) => Text::EndedPasswordChanged,
        (_, Some(RevokedReason::SessionLimit)) => Text::EndedSessionLimit,
        _ => Text::SessionEnded,
    }
}

/// "This is a shared computer", remembered by the browsers of a lab where it was turned
/// on (and forgotten where it was turned off), so pupils need not tick it every time.
mod shared_computer {
    const KEY: &str = "hallpass.shared_computer";

    pub fn remembered() -> bool {
        storage()
            .and_then(|storage| storage.get_item(KEY).ok().flatten())
            .is_some()
    }

    pub fn remember(shared: bool) {
        if let Some(storage) = storage() {
            let _ = if shared {
                storage.set_item(KEY, "1")
            } else {
                storage.remove_item(KEY)
            };
        }
    }

    fn storage() -> Option<web_sys::Storage> {
        web_sys::window()?.local_storage().ok().flatten()
    }
}
