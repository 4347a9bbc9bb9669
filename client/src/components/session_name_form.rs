use hallpass_shared::{SessionId, validate};
use yew::prelude::*;

use crate::dom::input_value;
use crate::i18n::{Text, use_locale};

#[derive(Properties, PartialEq)]
pub struct SessionNameFormProps {
    pub session_id: SessionId,
    /// The session's name now.
    pub name: Option<String>,
    /// Saves a name (blank removes it).
    pub on_save: Callback<String>,
    /// An action on the list is in flight: buttons wait.
    pub busy: bool,
    /// What the session is called on its card, for the button's accessible name.
    pub label: String,
}

/// "Rename" on a session card, opening a one-field form in place: checked as the server
/// checks it (at most 40 characters, no control characters), focused when it opens, and
/// closed by Save or Cancel (focus back on "Rename").
#[component]
pub fn SessionNameForm(props: &SessionNameFormProps) -> Html {
    let locale = use_locale();
    let open = use_state(|| false);
    let error = use_state(|| None::<&'static str>);
    let input = use_node_ref();
    let opener = use_node_ref();
    {
        let (input, opener, open) = (input.clone(), opener.clone(), *open);
        use_effect_with(open, move |open| {
            let target = if *open {
                input.cast::<web_sys::HtmlElement>()
            } else {
                opener.cast()
            };
            if let Some(target) = target {
                let _ = target.focus();
            }
        });
    }
    let toggle = {
        let (open, error) = (open.clone(), error.clone());
        Callback::from(move |_| {
            error.set(None);
            open.set(!*open);
        })
    };
    let submit = {
        let (open, error, input, on_save) = (
            open.clone(),
            error.clone(),
            input.clone(),
            props.on_save.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let name = input_value(&input);
            match validate::session_name(&name) {
                Ok(_) => {
                    error.set(None);
                    open.set(false);
                    on_save.emit(name);
                }
                Err(invalid) => error.set(Some(invalid.0)),
            }
        })
    };

    let hint_id = format!("session-name-hint-{}", props.session_id);
    if !*open {
        return html! {
            <button ref={opener} class="secondary" onclick={toggle} disabled={props.busy}
                aria-label={format!("{} {}", locale.text(Text::NameSession), props.label)}>
                { locale.text(Text::NameSession) }
            </button>
        };
    }
    html! {
        <form class="session-name-form" onsubmit={submit} novalidate=true>
            <label>
                { locale.text(Text::SessionName) }
                <input ref={input} type="text" maxlength="40" autocomplete="off"
                    value={props.name.clone().unwrap_or_default()}
                    aria-describedby={hint_id.clone()}
                    aria-invalid={error.is_some().to_string()} />
            </label>
            <p id={hint_id} class="hint">{ locale.text(Text::SessionNameHint) }</p>
            if let Some(message) = *error {
                <p class="field-error" role="alert">{ message }</p>
            }
            <button type="submit" disabled={props.busy}>{ locale.text(Text::Save) }</button>
            <button type="button" class="secondary" onclick={toggle}>{ locale.text(Text::Cancel) }</button>
        </form>
    }
}
