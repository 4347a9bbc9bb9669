use chrono::Utc;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::hooks::use_session;
use crate::i18n::{Text, use_locale};
use crate::routes::Route;
use crate::time::relative_past;

/// Who is signed in, on which device since when, and the way to the profile page.
#[component]
fn Welcome() -> Html {
    let locale = use_locale();
    let session = use_session();
    let Some(auth) = session.active() else {
        return html! {};
    };
    html! {
        <section class="card welcome" aria-labelledby="welcome-title">
            <h1 id="welcome-title">{ locale.welcome(&auth.user.name) }</h1>
            <dl class="facts">
                <dt>{ locale.text(Text::Email) }</dt><dd>{ &auth.user.email }</dd>
                <dt>{ locale.text(Text::Role) }</dt><dd>{ locale.role(auth.user.role) }</dd>
                <dt>{ locale.text(Text::SignedInSince) }</dt>
                <dd>{ relative_past(locale, Utc::now(), auth.session.created) }
                    { " · " }{ &auth.session.browser }{ " · " }{ &auth.session.os }</dd>
            </dl>
            <Link<Route> to={Route::Profile { locale }} classes="button">{ locale.text(Text::ManageSessions) }</Link<Route>>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct RoleHomeProps {
    title: Text,
    blurb: Text,
}

/// A role's dashboard: who is signed in, then what the role's part of the platform holds.
#[component]
fn RoleHome(props: &RoleHomeProps) -> Html {
    let locale = use_locale();
    html! {
        <>
            <Welcome />
            <section class="card">
                <h2>{ locale.text(props.title) }</h2>
                <p>{ locale.text(props.blurb) }</p>
            </section>
        </>
    }
}

#[component]
pub fn StudentDashboard() -> Html {
    html! { <RoleHome title={Text::StudentDashboard} blurb={Text::StudentBlurb} /> }
}

#[component]
pub fn TeacherDashboard() -> Html {
    html! { <RoleHome title={Text::TeacherDashboard} blurb={Text::TeacherBlurb} /> }
}
