use hallpass_shared::{ErrorCode, PasswordChange, validate};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::api;
use crate::components::{FormField, FormProblem, error_banner, focus};
use crate::dom::input_value;
use crate::i18n::{Text, use_locale};

#[derive(Properties, PartialEq)]
pub struct PasswordFormProps {
    /// The account's email, for password managers filing the new password.
    pub email: AttrValue,
    /// Told after a change, which signed out every other session.
    pub on_changed: Callback<()>,
}

/// The field a problem belongs under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Current,
    New,
    Repeat,
}

impl FormField for Field {
    fn error_id(self) -> &'static str {
        match self {
            Self::Current => "current-password-error",
            Self::New => "new-password-error",
            Self::Repeat => "repeat-password-error",
        }
    }
}

type Problem = FormProblem<Field>;

/// Change the password: current one, new one twice. The server then signs out every
/// other session of the user, which the form says.
#[component]
pub fn PasswordForm(props: &PasswordFormProps) -> Html {
    let locale = use_locale();
    let current = use_node_ref();
    let new = use_node_ref();
    let repeat = use_node_ref();
    let sending = use_state(|| false);
    let problem = use_state(|| None::<Problem>);
    let done = use_state(|| false);
    // Says the problem; one of a field also puts the focus on that field.
    let report = {
        let (current, new, repeat, problem) = (
            current.clone(),
            new.clone(),
            repeat.clone(),
            problem.clone(),
        );
        move |found: Problem| {
            if let Problem::Field(field, _) = found {
                let node = match field {
                    Field::Current => &current,
                    Field::New => &new,
                    Field::Repeat => &repeat,
                };
                focus(node);
            }
            problem.set(Some(found));
        }
    };

    let onsubmit = {
        let (current, new, repeat) = (current.clone(), new.clone(), repeat.clone());
        let (sending, problem, done) = (sending.clone(), problem.clone(), done.clone());
        let on_changed = props.on_changed.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let change = PasswordChange {
                current_password: input_value(&current),
                new_password: input_value(&new),
            };
            done.set(false);
            if let Some((field, text)) = field_problem(&change, &input_value(&repeat)) {
                report(Problem::Field(field, text));
                return;
            }
            problem.set(None);
            sending.set(true);
            let (sending, done) = (sending.clone(), done.clone());
            let (new, repeat, current) = (new.clone(), repeat.clone(), current.clone());
            let (on_changed, report) = (on_changed.clone(), report.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::auth::change_password(&change).await {
                    Ok(()) => {
                        for node in [&current, &new, &repeat] {
                            if let Some(input) = node.cast::<HtmlInputElement>() {
                                input.set_value("");
                            }
                        }
                        done.set(true);
                        on_changed.emit(());
                    }
                    Err(error) if error.code() == Some(ErrorCode::InvalidCredentials) => {
                        report(Problem::Field(Field::Current, Text::CurrentPasswordWrong))
                    }
                    Err(error) => report(Problem::Server(error)),
                }
                sending.set(false);
            });
        })
    };

    let problem_now = (*problem).as_ref();
    let field_error = |field| Problem::under(problem_now, locale, field);
    let invalid = |field| Problem::is_on(problem_now, field);
    let described = |field| Problem::described(problem_now, field);
    // The new password's rule is always read with it; its error, when there is one, too.
    let new_described = if invalid(Field::New) {
        "new-password-rule new-password-error"
    } else {
        "new-password-rule"
    };
    html! {
        <section class="card" aria-labelledby="password-title">
            <h2 id="password-title">{ locale.text(Text::ChangePassword) }</h2>
            <p class="hint">{ locale.text(Text::ChangePasswordHint) }</p>
            <form class="stack" {onsubmit} novalidate=true>
                <input type="email" class="visually-hidden" autocomplete="username" readonly=true
                    tabindex="-1" aria-hidden="true" value={props.email.clone()} />
                <label for="current-password">{ locale.text(Text::CurrentPassword) }</label>
                <input id="current-password" type="password" ref={current}
                    autocomplete="current-password" required=true
                    aria-invalid={invalid(Field::Current).to_string()}
                    aria-describedby={described(Field::Current)} />
                { field_error(Field::Current) }
                <label for="new-password">{ locale.text(Text::NewPassword) }</label>
                <input id="new-password" type="password" ref={new} autocomplete="new-password"
                    required=true minlength={validate::PASSWORD_MIN_CHARS.to_string()}
                    aria-invalid={invalid(Field::New).to_string()}
                    aria-describedby={new_described} />
                <small id="new-password-rule" class="hint">{ locale.password_rule() }</small>
                { field_error(Field::New) }
                <label for="repeat-password">{ locale.text(Text::RepeatPassword) }</label>
                <input id="repeat-password" type="password" ref={repeat}
                    autocomplete="new-password" required=true
                    aria-invalid={invalid(Field::Repeat).to_string()}
                    aria-describedby={described(Field::Repeat)} />
                { field_error(Field::Repeat) }
                if let Some(Problem::Server(error)) = problem_now {
                    { error_banner(locale, error, Text::PasswordChangeFailed) }
                }
                if *done {
                    <p class="banner ok" role="status">{ locale.text(Text::PasswordChanged) }</p>
                }
                <button type="submit" disabled={*sending}>{ locale.text(Text::ChangePassword) }</button>
            </form>
        </section>
    }
}

/// The problem a user can fix before anything is sent, in field order, with the field
/// it belongs under.
fn field_problem(change: &PasswordChange, repeat: &str) -> Option<(Field, Text)> {
    if change.current_password.is_empty() {
        Some((Field::Current, Text::CurrentPasswordMissing))
    } else if validate::password(&change.new_password).is_err() {
        Some((Field::New, Text::NewPasswordInvalid))
    } else if change.new_password != repeat {
        Some((Field::Repeat, Text::PasswordsDiffer))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(current: &str, new: &str) -> PasswordChange {
        PasswordChange {
            current_password: current.into(),
            new_password: new.into(),
        }
    }

    #[test]
    fn problems_are_caught_in_field_order() {
        assert_eq!(
            field_problem(&change("", "long enough pass"), "long enough pass"),
            Some((Field::Current, Text::CurrentPasswordMissing))
        );
        assert_eq!(
            field_problem(&change("old", "short"), "short"),
            Some((Field::New, Text::NewPasswordInvalid))
        );
        assert_eq!(
            field_problem(&change("old", "long enough pass"), "long enough typo"),
            Some((Field::Repeat, Text::PasswordsDiffer))
        );
        assert_eq!(
            field_problem(&change("old", "long enough pass"), "long enough pass"),
            None
        );
    }
}
