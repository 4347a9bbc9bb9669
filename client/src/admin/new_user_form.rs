use hallpass_shared::{CreateUser, ErrorCode, Role, UserView, validate};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::components::error_banner;
use crate::dom::input_value;
use crate::i18n::{Text, use_locale};

#[derive(Properties, PartialEq)]
pub struct NewUserFormProps {
    /// Told with the account once it exists (the console says so).
    pub on_created: Callback<UserView>,
}

#[derive(Clone, PartialEq)]
enum Problem {
    /// Caught before sending.
    Field(Text),
    Server(ApiError),
}

/// Adds an account: name, email, role and a first password the admin passes on. Once
/// added, the form is empty again, on the least privileged role, focus on its first field.
#[component]
pub fn NewUserForm(props: &NewUserFormProps) -> Html {
    let locale = use_locale();
    let (name, email, role, password) = (
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    );
    let sending = use_state(|| false);
    let problem = use_state(|| None::<Problem>);

    let onsubmit = {
        let (name, email, role, password) =
            (name.clone(), email.clone(), role.clone(), password.clone());
        let (sending, problem) = (sending.clone(), problem.clone());
        let on_created = props.on_created.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let user = CreateUser {
                name: input_value(&name).trim().to_owned(),
                email: input_value(&email).trim().to_owned(),
                role: role
                    .cast::<HtmlSelectElement>()
                    .and_then(|select| select.value().parse().ok())
                    .unwrap_or(Role::Student),
                password: input_value(&password),
            };
            if let Some(text) = field_problem(&user) {
                problem.set(Some(Problem::Field(text)));
                return;
            }
            problem.set(None);
            sending.set(true);
            let (sending, problem) = (sending.clone(), problem.clone());
            let (form_fields, role, on_created) = (
                [name.clone(), email.clone(), password.clone()],
                role.clone(),
                on_created.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                match api::admin::create_user(&user).await {
                    Ok(account) => {
                        for field in &form_fields {
                            if let Some(input) = field.cast::<HtmlInputElement>() {
                                input.set_value("");
                            }
                        }
                        // The next account starts from the least privileged role again.
                        if let Some(select) = role.cast::<HtmlSelectElement>() {
                            select.set_value(Role::Student.as_str());
                        }
                        if let Some(first) = form_fields[0].cast::<web_sys::HtmlElement>() {
                            let _ = first.focus();
                        }
                        on_created.emit(account);
                    }
                    Err(error) if error.code() == Some(ErrorCode::Conflict) => {
                        problem.set(Some(Problem::Field(Text::EmailTaken)))
                    }
                    Err(error) => problem.set(Some(Problem::Server(error))),
                }
                sending.set(false);
            });
        })
    };

    html! {
        <section class="card" aria-labelledby="new-user-title">
            <h2 id="new-user-title">{ locale.text(Text::AddUser) }</h2>
            <form class="grid-form" {onsubmit} novalidate=true>
                <label>{ locale.text(Text::Name) }<input ref={name} autocomplete="off" required=true /></label>
                <label>{ locale.text(Text::Email) }<input ref={email} type="email" autocomplete="off" required=true /></label>
                <label>{ locale.text(Text::Role) }
                    <select ref={role}>
                        // The least privileged role unless the admin picks another.
                        { for Role::ALL.into_iter().map(|role| html! {
                            <option value={role.as_str()} selected={role == Role::Student}>{ locale.role(role) }</option>
                        }) }
                    </select>
                </label>
                <label>{ locale.text(Text::FirstPassword) }
                    <input ref={password} type="password" autocomplete="new-password" required=true />
                </label>
                <button type="submit" disabled={*sending}>{ locale.text(Text::AddUser) }</button>
            </form>
            { match &*problem {
                Some(Problem::Field(text)) => html! { <p class="field-error" role="alert">{ locale.text(*text) }</p> },
                Some(Problem::Server(error)) => html! { { error_banner(locale, error, Text::ActionFailed) } },
                None => html! {},
            } }
        </section>
    }
}

/// The problem an admin can fix before anything is sent, in field order.
fn field_problem(user: &CreateUser) -> Option<Text> {
    if user.name.trim().is_empty() {
        Some(Text::NameMissing)
    } else if validate::name(&user.name).is_err() {
        Some(Text::NameInvalid)
    } else if validate::email(&user.email).is_err() {
        Some(Text::EmailInvalid)
    } else if validate::password(&user.password).is_err() {
        Some(Text::NewPasswordInvalid)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str, email: &str, password: &str) -> CreateUser {
        CreateUser {
            name: name.into(),
            email: email.into(),
            role: Role::Teacher,
            password: password.into(),
        }
    }

    #[test]
    fn problems_are_caught_in_field_order() {
        assert_eq!(field_problem(&user("", "x", "y")), Some(Text::NameMissing));
        assert_eq!(
            field_problem(&user(&"n".repeat(101), "x", "y")),
            Some(Text::NameInvalid)
        );
        assert_eq!(
            field_problem(&user("Ada", "ada", "y")),
            Some(Text::EmailInvalid)
        );
        assert_eq!(
            field_problem(&user("Ada", "ada@school.test", "short")),
            Some(Text::NewPasswordInvalid)
        );
        assert_eq!(
            field_problem(&user("Ada", "ada@school.test", "long enough pass")),
            None
        );
    }
}
