use chrono::Utc;
use hallpass_shared::UserId;
use hallpass_shared::{ListedUser, Role, UpdateUser, UserQuery, UserSort, UserView};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::components::{email_address, error_banner, moment, pager, spinner};
use crate::hooks::{Load, use_load, use_pages};
use crate::i18n::{Text, use_locale};
use crate::time::relative_past;

const PAGE_SIZE: u32 = 20;

/// What an admin did to a user from the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserChange {
    Role,
    Deactivated,
    Reactivated,
}

#[derive(Properties, PartialEq)]
pub struct UserTableProps {
    /// The user whose sessions are open below the table.
    pub selected: Option<UserId>,
    pub on_select: Callback<UserView>,
    /// Told after a user was changed here; the console answers with a new `generation`.
    pub on_changed: Callback<(UserView, UserChange)>,
    /// Bumped by the console when something elsewhere changed users.
    pub generation: u32,
    /// An email to search for, set by the console to show a user just added.
    #[prop_or_default]
    pub show: Option<String>,
}

/// Which users the table shows, and in which order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct View {
    role: Option<Role>,
    active: Option<bool>,
    sort: UserSort,
}

/// Every account, searchable by name or email, filtered by role and status, ordered by
/// email, name or last sign-in, a page at a time, with its last sign-in and open sessions,
/// its sessions one click away, its role a choice away, and deactivation (which ends every
/// session of the user) and reactivation each behind a confirm.
#[component]
pub fn UserTable(props: &UserTableProps) -> Html {
    let locale = use_locale();
    let search = use_state(String::new);
    let view = use_state(View::default);
    let pages = use_pages();
    let query = UserQuery {
        q: Some((*search).clone()).filter(|q| !q.is_empty()),
        role: view.role,
        active: view.active,
        sort: Some(view.sort),
        limit: Some(PAGE_SIZE),
        cursor: pages.cursor(),
    };
    let users = use_load((query, props.generation), |(query, _)| async move {
        api::admin::users(&query).await
    });
    let failure = use_state(|| None::<ApiError>);
    // The user whose activation is being confirmed, and the state asked for.
    let confirming = use_state(|| None::<(UserId, bool)>);
    let input = use_node_ref();
    {
        let (search, pages, input) = (search.clone(), pages.clone(), input.clone());
        use_effect_with(props.show.clone(), move |show| {
            if let Some(email) = show {
                if let Some(input) = input.cast::<HtmlInputElement>() {
                    input.set_value(email);
                }
                search.set(email.clone());
                pages.reset();
            }
        });
    }

    let onsubmit = {
        let (search, pages, input) = (search.clone(), pages.clone(), input.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if let Some(input) = input.cast::<HtmlInputElement>() {
                search.set(input.value().trim().to_owned());
                pages.reset();
            }
        })
    };
    // Sends one change; `undo` puts the screen back when the server refuses it.
    let update = {
        let (failure, confirming) = (failure.clone(), confirming.clone());
        let on_changed = props.on_changed.clone();
        Callback::from(
            move |(id, change, undo): (UserId, UpdateUser, Callback<()>)| {
                confirming.set(None);
                let (failure, on_changed) = (failure.clone(), on_changed.clone());
                let what = match change.is_active {
                    Some(true) => UserChange::Reactivated,
                    Some(false) => UserChange::Deactivated,
                    None => UserChange::Role,
                };
                wasm_bindgen_futures::spawn_local(async move {
                    match api::admin::update_user(id, &change).await {
                        Ok(user) => {
                            failure.set(None);
                            on_changed.emit((user, what));
                        }
                        Err(error) => {
                            undo.emit(());
                            failure.set(Some(error));
                        }
                    }
                });
            },
        )
    };

    // Each menu changes the view at once, from the first page.
    let choose = |apply: fn(&mut View, &str)| {
        let (view, pages) = (view.clone(), pages.clone());
        Callback::from(move |event: Event| {
            if let Some(select) = event.target_dyn_into::<HtmlSelectElement>() {
                let mut next = *view;
                apply(&mut next, &select.value());
                view.set(next);
                pages.reset();
            }
        })
    };
    let on_role = choose(|view, value| view.role = value.parse().ok());
    let on_status = choose(|view, value| view.active = value.parse().ok());
    let on_sort = choose(|view, value| view.sort = value.parse().unwrap_or_default());

    let now = Utc::now();
    let set_active = {
        let update = update.clone();
        Callback::from(move |(id, is_active): (UserId, bool)| {
            let change = UpdateUser {
                is_active: Some(is_active),
                ..UpdateUser::default()
            };
            update.emit((id, change, Callback::noop()));
        })
    };
    let row = |user: &ListedUser| {
        let id = user.id;
        let change_role = {
            let (update, before) = (update.clone(), user.role);
            Callback::from(move |event: Event| {
                let Some(select) = event.target_dyn_into::<HtmlSelectElement>() else {
                    return;
                };
                let change = UpdateUser {
                    role: select.value().parse().ok(),
                    ..UpdateUser::default()
                };
                let undo = Callback::from(move |()| select.set_value(before.as_str()));
                update.emit((id, change, undo));
            })
        };
        let select = {
            let (on_select, user) = (props.on_select.clone(), user.view());
            Callback::from(move |_| on_select.emit(user.clone()))
        };
        let toggle = {
            let (confirming, active) = (confirming.clone(), user.is_active);
            Callback::from(move |_| confirming.set(Some((id, !active))))
        };
        let confirm = {
            let (set_active, active) = (set_active.clone(), user.is_active);
            Callback::from(move |_| set_active.emit((id, !active)))
        };
        let cancel = {
            let confirming = confirming.clone();
            Callback::from(move |_| confirming.set(None))
        };
        let selected = props.selected == Some(id);
        html! {
            <tr key={id.to_string()} class={classes!(selected.then_some("selected"))}>
                <td data-label={locale.text(Text::Name)}>{ &user.name }</td>
                <td data-label={locale.text(Text::Email)}>{ email_address(&user.email) }</td>
                <td data-label={locale.text(Text::Role)}>
                    <select onchange={change_role} aria-label={locale.role_of(&user.email)}>
                        { for Role::ALL.into_iter().map(|role| html! {
                            <option value={role.as_str()} selected={role == user.role}>{ locale.role(role) }</option>
                        }) }
                    </select>
                </td>
                <td data-label={locale.text(Text::Status)}>
                    { locale.text(if user.is_active { Text::Active } else { Text::Inactive }) }
                    if user.must_change_password {
                        <span class="hint">{ " · " }{ locale.text(Text::PasswordAsked) }</span>
                    }
                </td>
                <td data-label={locale.text(Text::LastSignIn)}>
                    { match user.last_sign_in_at {
                        Some(at) => moment(locale, at, relative_past(locale, now, at)),
                        None => html! { locale.text(Text::Never) },
                    } }
                </td>
                <td data-label={locale.text(Text::OpenSessions)} class="number">{ user.active_sessions }</td>
                <td data-label={locale.text(Text::AccountCreated)}>{ moment(locale, user.created_at, relative_past(locale, now, user.created_at)) }</td>
                <td class="actions">
                    <button class="secondary" onclick={select} aria-pressed={selected.to_string()}
                        aria-label={format!("{} {}", locale.text(Text::Sessions), user.email)}>
                        { locale.text(Text::Sessions) }
                    </button>
                    if let Some((_, activate)) = confirming.filter(|(asked, _)| *asked == id) {
                        <span role="alert">{ locale.text(if activate { Text::ConfirmReactivate } else { Text::ConfirmDeactivate }) }</span>
                        <button class={classes!((!activate).then_some("danger"))} onclick={confirm}>
                            { locale.text(if activate { Text::Reactivate } else { Text::Deactivate }) }
                        </button>
                        <button class="secondary" onclick={cancel}>{ locale.text(Text::Cancel) }</button>
                    } else {
                        <button class={if user.is_active { "danger" } else { "secondary" }} onclick={toggle}
                            aria-label={format!("{} {}", locale.text(if user.is_active { Text::Deactivate } else { Text::Reactivate }), user.email)}>
                            { locale.text(if user.is_active { Text::Deactivate } else { Text::Reactivate }) }
                        </button>
                    }
                </td>
            </tr>
        }
    };

    html! {
        <section class="card" aria-labelledby="users-title">
            <div class="card-head">
                <h2 id="users-title">{ locale.text(Text::Users) }</h2>
                if let Load::Ready(page) = &*users {
                    if let Some(total) = page.total {
                        <span class="count">{ locale.user_count(total, page.more_than_total) }</span>
                    }
                }
            </div>
            <form class="search" role="search" {onsubmit}>
                <label for="user-search">{ locale.text(Text::SearchUsers) }</label>
                // Not bound to `search`: a re-render (the list arriving) must never wipe
                // what is being typed. The console's `show` fills it directly.
                <input id="user-search" type="search" ref={input}
                    placeholder={locale.text(Text::SearchPlaceholder)} />
                <button type="submit">{ locale.text(Text::Search) }</button>
            </form>
            <div class="filters">
                <label>
                    { locale.text(Text::Role) }
                    <select onchange={on_role}>
                        <option value="" selected={view.role.is_none()}>{ locale.text(Text::AllRoles) }</option>
                        { for Role::ALL.into_iter().map(|role| html! {
                            <option value={role.as_str()} selected={view.role == Some(role)}>{ locale.role(role) }</option>
                        }) }
                    </select>
                </label>
                <label>
                    { locale.text(Text::Status) }
                    <select onchange={on_status}>
                        <option value="" selected={view.active.is_none()}>{ locale.text(Text::AnyStatus) }</option>
                        <option value="true" selected={view.active == Some(true)}>{ locale.text(Text::Active) }</option>
                        <option value="false" selected={view.active == Some(false)}>{ locale.text(Text::Inactive) }</option>
                    </select>
                </label>
                <label>
                    { locale.text(Text::SortBy) }
                    <select onchange={on_sort}>
                        { for UserSort::ALL.into_iter().map(|sort| html! {
                            <option value={sort.as_str()} selected={view.sort == sort}>{ locale.text(sort_text(sort)) }</option>
                        }) }
                    </select>
                </label>
            </div>
            if let Some(error) = &*failure {
                { error_banner(locale, error, Text::ActionFailed) }
            }
            { match &*users {
                Load::Loading => html! { { spinner(locale) } },
                Load::Failed(error) => html! { { error_banner(locale, error, Text::UsersLoadFailed) } },
                Load::Ready(page) if page.items.is_empty() => html! { <p class="empty">{ locale.text(Text::NoUsers) }</p> },
                Load::Ready(page) => html! {
                    <>
                        <div class="table-wrap">
                            <table>
                                <thead><tr>
                                    <th scope="col">{ locale.text(Text::Name) }</th>
                                    <th scope="col">{ locale.text(Text::Email) }</th>
                                    <th scope="col">{ locale.text(Text::Role) }</th>
                                    <th scope="col">{ locale.text(Text::Status) }</th>
                                    <th scope="col">{ locale.text(Text::LastSignIn) }</th>
                                    <th scope="col">{ locale.text(Text::OpenSessions) }</th>
                                    <th scope="col">{ locale.text(Text::AccountCreated) }</th>
                                    <th scope="col"><span class="visually-hidden">{ locale.text(Text::Actions) }</span></th>
                                </tr></thead>
                                <tbody>{ for page.items.iter().map(row) }</tbody>
                            </table>
                        </div>
                        { pager(locale, &pages, page.next_cursor.clone(), locale.text(Text::Users).into()) }
                    </>
                },
            } }
        </section>
    }
}

fn sort_text(sort: UserSort) -> Text {
    match sort {
        UserSort::Email => Text::Email,
        UserSort::Name => Text::Name,
        UserSort::LastSignIn => Text::LastSignIn,
    }
}
