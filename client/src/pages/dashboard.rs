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

#[component]
pub fn StudentDashboard() -> Html {
    let locale = use_locale();
    html! {
        <>
            <Welcome />
            <section class="card">
                <h2>{ locale.text(Text::StudentDashboard) }</h2>
                <p>{ locale.text(Text::StudentBlurb) }</p>
            </section>
        </>
    }
}

#[component]
pub fn TeacherDashboard() -> Html {
    let locale = use_locale();
    html! {
        <>
            <Welcome />
            <section class="card">
                <h2>{ locale.text(Text::TeacherDashboard) }</h2>
                <p>{ locale.text(Text::TeacherBlurb) }</p>
            </section>
        </>
    }
}
