use gloo_events::EventListener;
use hallpass_shared::{SessionId, SessionView};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::{self, ApiError};
use crate::components::error_banner;
use crate::hooks::{Load, use_load};
use crate::i18n::{Locale, Text, use_locale};
use crate::places::{place, time_of_day};
use crate::platform::label;
use crate::routes::Route;

/// What the last answer did, announced in place of the question.
#[derive(Clone, PartialEq)]
enum Answered {
    WasMe,
    SignedOut(String),
    Failed(ApiError),
}

/// "New sign-in on Firefox · Windows, France, 10:42 — was this you?" at the top of every
/// signed-in page while the account has a sign-in from a new device nobody answered
/// about. Asked again on each page opened and when the window regains focus, so every
/// open tab asks until one answers. **Yes** settles it; **No, sign it out** revokes that
/// session at once and offers the password change.
#[component]
pub fn NewDeviceNotice() -> Html {
    let locale = use_locale();
    let path = use_location().map(|location| location.path().to_owned());
    let pending = use_load(path, |_| async {
        api::sessions::new_devices().await.map(|list| list.sessions)
    });
    let answered = use_state(|| None::<Answered>);
    // The outcome takes the focus the answered question's button had.
    let outcome = use_node_ref();
    {
        let outcome = outcome.clone();
        use_effect_with((*answered).clone(), move |answered| {
            if answered.is_some()
                && let Some(outcome) = outcome.cast::<web_sys::HtmlElement>()
            {
                let _ = outcome.focus();
            }
        });
    }
    {
        let pending = pending.clone();
        use_effect_with((), move |_| {
            let on_focus = web_sys::window()
                .map(|window| EventListener::new(&window, "focus", move |_| pending.reload()));
            move || drop(on_focus)
        });
    }
    let answer = {
        let (pending, answered) = (pending.clone(), answered.clone());
        Callback::from(move |(session, was_me): (SessionView, bool)| {
            let (pending, answered) = (pending.clone(), answered.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let outcome = if was_me {
                    api::sessions::confirm(session.id)
                        .await
                        .map(|()| Answered::WasMe)
                } else {
                    let device = label(locale, &session);
                    api::sessions::deny(session.id)
                        .await
                        .map(|()| Answered::SignedOut(device))
                };
                answered.set(Some(match outcome {
                    // Answered in another tab meanwhile: nothing to say, the list reloads.
                    Err(ApiError::Server { status: 404, .. }) => return pending.reload(),
                    outcome => outcome.unwrap_or_else(Answered::Failed),
                }));
                pending.reload();
            });
        })
    };

    let questions = match &*pending {
        Load::Ready(sessions) => sessions.clone(),
        _ => Vec::new(),
    };
    html! {
        <div class="new-device-notices" aria-live="polite">
            { match &*answered {
                Some(Answered::WasMe) => html! {
                    <p class="banner ok" tabindex="-1" ref={outcome}>{ locale.text(Text::NewSignInConfirmed) }</p>
                },
                Some(Answered::SignedOut(device)) => html! {
                    <p class="banner ok" tabindex="-1" ref={outcome}>
                        { locale.signed_out_device(device) }{ " " }
                        <Link<Route> to={Route::Profile { locale }}>{ locale.text(Text::ChangePassword) }</Link<Route>>
                    </p>
                },
                Some(Answered::Failed(error)) => html! {
                    { error_banner(locale, error, Text::ActionFailed) }
                },
                None => html! {},
            } }
            // In a box of their own: Yew matches unkeyed siblings from the end, so a
            // question going away beside the outcome would otherwise replace the outcome's
            // element (and drop the focus it holds).
            <div class="new-device-questions">
                { for questions.into_iter().map(|session| question(locale, session, &answer)) }
            </div>
        </div>
    }
}

fn question(locale: Locale, session: SessionView, answer: &Callback<(SessionView, bool)>) -> Html {
    let asked = locale.new_sign_in(
        &label(locale, &session),
        session
            .location
            .as_ref()
            .map(|location| place(locale, location))
            .as_deref(),
        &time_of_day(locale, session.created),
    );
    let id: SessionId = session.id;
    let yes = answer.reform({
        let session = session.clone();
        move |_| (session.clone(), true)
    });
    let no = answer.reform(move |_| (session.clone(), false));
    html! {
        <section class="banner notice new-device" data-session-id={id.to_string()}
            aria-label={locale.text(Text::NewDevice)}>
            <p>{ asked }</p>
            <div class="notice-actions">
                <button onclick={yes}>{ locale.text(Text::NewSignInYes) }</button>
                <button class="danger" onclick={no}>{ locale.text(Text::NewSignInNo) }</button>
            </div>
        </section>
    }
}
