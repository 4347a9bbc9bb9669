use std::{cell::RefCell, rc::Rc};

use futures_channel::oneshot;
use hallpass_shared::ErrorCode;
use wasm_bindgen::JsCast as _;
use web_sys::{HtmlDialogElement, HtmlElement, HtmlInputElement};
use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::components::{error_banner, focus};
use crate::dom::input_value;
use crate::i18n::{Text, use_locale};

/// Who waits for the answer, and where the focus was when the dialog opened.
#[derive(Default)]
struct Asking {
    answer: Option<oneshot::Sender<bool>>,
    return_focus: Option<HtmlElement>,
}

/// Asks for the password when the server wants a fresh one before a sensitive act
/// (403 `reauthentication_required`): a modal dialog whose confirmation proves the
/// password (`POST /api/auth/reauthenticate`), after which the API layer repeats the
/// act the user asked for. A wrong password is said in the dialog; Cancel or Escape
/// gives up, and the act reports its refusal as usual. The focus returns to where it was.
#[component]
pub fn ReauthDialog() -> Html {
    let locale = use_locale();
    let dialog = use_node_ref();
    let password = use_node_ref();
    let asking = use_mut_ref(Asking::default);
    let open = use_state(|| false);
    let sending = use_state(|| false);
    let problem = use_state(|| None::<ApiError>);

    {
        let (asking, open, problem) = (asking.clone(), open.clone(), problem.clone());
        use_effect_with((), move |()| {
            api::on_reauthentication_required(Callback::from(move |answer| {
                let mut asking = asking.borrow_mut();
                // A second act asking meanwhile: the first gives up, the newest is asked.
                if let Some(earlier) = asking.answer.replace(answer) {
                    let _ = earlier.send(false);
                }
                asking.return_focus = active_element();
                problem.set(None);
                open.set(true);
            }));
        });
    }
    {
        let (dialog, password) = (dialog.clone(), password.clone());
        use_effect_with(*open, move |open| {
            if *open && let Some(dialog) = dialog.cast::<HtmlDialogElement>() {
                let _ = dialog.show_modal();
                focus(&password);
            }
        });
    }

    let close = {
        let (asking, open, dialog, password) = (
            asking.clone(),
            open.clone(),
            dialog.clone(),
            password.clone(),
        );
        Rc::new(move |confirmed: bool| {
            finish(&asking, confirmed);
            if let Some(input) = password.cast::<HtmlInputElement>() {
                input.set_value("");
            }
            if let Some(dialog) = dialog.cast::<HtmlDialogElement>() {
                dialog.close();
            }
            open.set(false);
        })
    };
    let onsubmit = {
        let (password, sending, problem, close) = (
            password.clone(),
            sending.clone(),
            problem.clone(),
            close.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let given = input_value(&password);
            sending.set(true);
            let (password, sending, problem, close) = (
                password.clone(),
                sending.clone(),
                problem.clone(),
                close.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                match api::auth::reauthenticate(given).await {
                    Ok(()) => close(true),
                    Err(error) => {
                        problem.set(Some(error));
                        focus(&password);
                    }
                }
                sending.set(false);
            });
        })
    };
    let cancel = {
        let close = close.clone();
        Callback::from(move |_: MouseEvent| close(false))
    };
    // Escape: the browser closes a modal dialog itself; the act gives up.
    let oncancel = {
        let close = close.clone();
        Callback::from(move |event: Event| {
            event.prevent_default();
            close(false);
        })
    };

    let wrong = (*problem)
        .as_ref()
        .is_some_and(|error| error.code() == Some(ErrorCode::InvalidCredentials));
    html! {
        <dialog ref={dialog} class="card reauth" aria-labelledby="reauth-title"
            aria-describedby="reauth-hint" {oncancel}>
            if *open {
                <h2 id="reauth-title">{ locale.text(Text::ReauthTitle) }</h2>
                <p id="reauth-hint" class="hint">{ locale.text(Text::ReauthHint) }</p>
                <form class="stack" {onsubmit} novalidate=true>
                    <label for="reauth-password">{ locale.text(Text::Password) }</label>
                    <input id="reauth-password" type="password" ref={password}
                        autocomplete="current-password" required=true
                        aria-invalid={wrong.to_string()}
                        aria-describedby={wrong.then_some("reauth-error")} />
                    if wrong {
                        <p id="reauth-error" class="field-error" role="alert">
                            { locale.text(Text::ReauthWrong) }
                        </p>
                    } else if let Some(error) = (*problem).as_ref() {
                        { error_banner(locale, error, Text::ReauthFailed) }
                    }
                    <div class="card-foot">
                        <button type="submit" disabled={*sending}>{ locale.text(Text::ReauthConfirm) }</button>
                        <button type="button" class="secondary" onclick={cancel}>
                            { locale.text(Text::Cancel) }
                        </button>
                    </div>
                </form>
            }
        </dialog>
    }
}

/// Answers whoever waits, and puts the focus back where it was.
fn finish(asking: &Rc<RefCell<Asking>>, confirmed: bool) {
    let mut asking = asking.borrow_mut();
    if let Some(answer) = asking.answer.take() {
        let _ = answer.send(confirmed);
    }
    if let Some(element) = asking.return_focus.take() {
        let _ = element.focus();
    }
}

fn active_element() -> Option<HtmlElement> {
    web_sys::window()?
        .document()?
        .active_element()?
        .dyn_into::<HtmlElement>()
        .ok()
}
