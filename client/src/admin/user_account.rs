use hallpass_shared::{ErrorCode, SetPassword, UpdateUser, UserView, validate};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::api;
use crate::components::{FormField, FormProblem, error_banner, focus};
use crate::dom::input_value;
use crate::i18n::{Text, use_locale};

#[derive(Properties, PartialEq)]
pub struct UserAccountProps {
    pub user: UserView,
    /// Told with the user once their name or email is saved.
    pub on_saved: Callback<UserView>,
    /// Told how many sessions a new password signed out.
    pub on_password_set: Callback<u64>,
    /// Told with the user once a new password is demanded of them, or no longer is.
    pub on_demanded: Callback<UserView>,
}

/// The field a problem belongs under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Name,
    Email,
    Password,
}

impl FormField for Field {
    fn error_id(self) -> &'static str {
        match self {
            Self::Name => "account-name-error",
            Self::Email => "account-email-error",
            Self::Password => "account-password-error",
        }
    }
}

type Problem = FormProblem<Field>;

/// A user's name and email, corrected in place (an email another user has is said under
/// the field), a new password an admin gives them, which signs out their sessions, and
/// the demand that they choose a new password themselves at their next sign-in.
/// The console says what was done.
#[component]
pub fn UserAccount(props: &UserAccountProps) -> Html {
    let locale = use_locale();
    let (name, email, password) = (use_node_ref(), use_node_ref(), use_node_ref());
    let sending = use_state(|| false);
    let problem = use_state(|| None::<Problem>);
    // Filled once, not bound: a re-render (a refusal arriving) must keep what was typed.
    {
        let (name, email, user) = (name.clone(), email.clone(), props.user.clone());
        use_effect_with((), move |()| {
            for (node, value) in [(&name, &user.name), (&email, &user.email)] {
                if let Some(input) = node.cast::<HtmlInputElement>() {
                    input.set_value(value);
                }
            }
        });
    }
    let fields = [
        (Field::Name, name.clone()),
        (Field::Email, email.clone()),
        (Field::Password, password.clone()),
    ];
    // Says the problem; one of a field also puts the focus on that field.
    let report = {
        let problem = problem.clone();
        move |found: Problem| {
            if let Problem::Field(field, _) = found {
                let node = fields
                    .iter()
                    .find(|(at, _)| *at == field)
                    .map(|(_, node)| node);
                if let Some(node) = node {
                    focus(node);
                }
            }
            problem.set(Some(found));
        }
    };

    let on_save = {
        let (name, email, sending, problem) = (
            name.clone(),
            email.clone(),
            sending.clone(),
            problem.clone(),
        );
        let (user, on_saved, report) = (props.user.clone(), props.on_saved.clone(), report.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let change = changes(&user, &input_value(&name), &input_value(&email));
            if let Some(found) = details_problem(&change) {
                report(found);
                return;
            }
            if change == UpdateUser::default() {
                problem.set(None);
                return;
            }
            let (id, sending, problem, on_saved, report) = (
                user.id,
                sending.clone(),
                problem.clone(),
                on_saved.clone(),
                report.clone(),
            );
            sending.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                match api::admin::update_user(id, &change).await {
                    Ok(user) => {
                        problem.set(None);
                        on_saved.emit(user);
                    }
                    Err(error) if error.code() == Some(ErrorCode::Conflict) => {
                        report(Problem::Field(Field::Email, Text::EmailTaken));
                    }
                    Err(error) => report(Problem::Server(error)),
                }
                sending.set(false);
            });
        })
    };

    let on_set_password = {
        let (password, sending, problem) = (password.clone(), sending.clone(), problem.clone());
        let (id, on_password_set) = (props.user.id, props.on_password_set.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let chosen = SetPassword {
                password: input_value(&password),
            };
            if validate::password(&chosen.password).is_err() {
                report(Problem::Field(Field::Password, Text::NewPasswordInvalid));
                return;
            }
            let (password, sending, problem, on_password_set, report) = (
                password.clone(),
                sending.clone(),
                problem.clone(),
                on_password_set.clone(),
                report.clone(),
            );
            sending.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                match api::admin::set_user_password(id, &chosen).await {
                    Ok(done) => {
                        if let Some(input) = password.cast::<HtmlInputElement>() {
                            input.set_value("");
                        }
                        problem.set(None);
                        on_password_set.emit(done.revoked);
                    }
                    Err(error) => report(Problem::Server(error)),
                }
                sending.set(false);
            });
        })
    };

    // Shown as asked at once, and put back if the server refuses.
    let demanded = use_state(|| props.user.must_change_password);
    let on_demand = {
        let (sending, problem, demanded) = (sending.clone(), problem.clone(), demanded.clone());
        let (id, on_demanded) = (props.user.id, props.on_demanded.clone());
        Callback::from(move |event: Event| {
            let Some(checkbox) = event.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            let asked = checkbox.checked();
            let change = UpdateUser {
                must_change_password: Some(asked),
                ..UpdateUser::default()
            };
            let (sending, problem, demanded, on_demanded) = (
                sending.clone(),
                problem.clone(),
                demanded.clone(),
                on_demanded.clone(),
            );
            demanded.set(asked);
            sending.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                match api::admin::update_user(id, &change).await {
                    Ok(user) => {
                        problem.set(None);
                        on_demanded.emit(user);
                    }
                    Err(error) => {
                        demanded.set(!asked);
                        problem.set(Some(Problem::Server(error)));
                    }
                }
                sending.set(false);
            });
        })
    };

    let problem_now = (*problem).as_ref();
    let field_error = |field| Problem::under(problem_now, locale, field);
    let invalid = |field| Problem::is_on(problem_now, field);
    let described = |field| Problem::described(problem_now, field);
    html! {
        <section class="card" aria-labelledby="account-title">
            <h2 id="account-title">{ locale.account_of(&props.user.name) }</h2>
            <form class="grid-form" onsubmit={on_save} novalidate=true>
                <div class="field">
                    <label>{ locale.text(Text::Name) }
                        <input ref={name} autocomplete="off" required=true
                            aria-invalid={invalid(Field::Name).to_string()} aria-describedby={described(Field::Name)} />
                    </label>
                    { field_error(Field::Name) }
                </div>
                <div class="field">
                    <label>{ locale.text(Text::Email) }
                        <input ref={email} type="email" autocomplete="off" required=true
                            aria-invalid={invalid(Field::Email).to_string()} aria-describedby={described(Field::Email)} />
                    </label>
                    { field_error(Field::Email) }
                </div>
                <button type="submit" disabled={*sending}>{ locale.text(Text::Save) }</button>
            </form>
            <form class="grid-form" onsubmit={on_set_password} novalidate=true>
                <div class="field">
                    <label>{ locale.text(Text::NewPassword) }
                        <input ref={password} type="password" autocomplete="new-password" required=true
                            aria-invalid={invalid(Field::Password).to_string()} aria-describedby={described(Field::Password)} />
                    </label>
                    { field_error(Field::Password) }
                </div>
                <button type="submit" disabled={*sending}>{ locale.text(Text::SetPassword) }</button>
                <p class="hint">{ locale.text(Text::SetPasswordHint) }</p>
            </form>
            <label class="check">
                <input type="checkbox" checked={*demanded}
                    onchange={on_demand} disabled={*sending} />
                { locale.text(Text::RequirePasswordChange) }
            </label>
            if let Some(Problem::Server(error)) = problem_now {
                { error_banner(locale, error, Text::ActionFailed) }
            }
        </section>
    }
}

/// What the form changes of `user`: the fields that differ, trimmed (emails as the server
/// stores them, see [`validate::normalize_email`]).
fn changes(user: &UserView, name: &str, email: &str) -> UpdateUser {
    let (name, email) = (name.trim(), validate::normalize_email(email));
    UpdateUser {
        name: (name != user.name).then(|| name.to_owned()),
        email: (email != user.email).then_some(email),
        ..UpdateUser::default()
    }
}

/// The problem an admin can fix before anything is sent, in field order.
fn details_problem(change: &UpdateUser) -> Option<Problem> {
    let field = |field, text| Some(Problem::Field(field, text));
    match (&change.name, &change.email) {
        (Some(name), _) if name.is_empty() => field(Field::Name, Text::NameMissing),
        (Some(name), _) if validate::name(name).is_err() => field(Field::Name, Text::NameInvalid),
        (_, Some(email)) if validate::email(email).is_err() => {
            field(Field::Email, Text::EmailInvalid)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> UserView {
        serde_json::from_value(serde_json::json!({
            "id": "6f1c4c4e-3f0e-4a51-9a4e-0c2b1f1d7a10",
            "email": "ada@school.test",
            "name": "Ada",
            "role": "student",
            "is_active": true,
            "created_at": "2026-01-01T00:00:00Z",
        }))
        .unwrap()
    }

    #[test]
    fn only_what_differs_is_sent() {
        assert_eq!(
            changes(&user(), " Ada ", "ADA@school.test"),
            UpdateUser::default()
        );
        let renamed = changes(&user(), "Ada L.", "ada@school.test");
        assert_eq!(renamed.name.as_deref(), Some("Ada L."));
        assert_eq!(renamed.email, None);
        let moved = changes(&user(), "Ada", " Ada@Other.test ");
        assert_eq!(moved.email.as_deref(), Some("ada@other.test"));
    }

    #[test]
    fn problems_are_caught_in_field_order() {
        let problem = |name: &str, email: &str| details_problem(&changes(&user(), name, email));
        assert_eq!(
            problem("", "nope"),
            Some(Problem::Field(Field::Name, Text::NameMissing))
        );
        assert_eq!(
            problem(&"n".repeat(101), "ada@school.test"),
            Some(Problem::Field(Field::Name, Text::NameInvalid))
        );
        assert_eq!(
            problem("Ada", "nope"),
            Some(Problem::Field(Field::Email, Text::EmailInvalid))
        );
        assert_eq!(problem("Ada Lovelace", "ada@other.test"), None);
    }
}
