use chrono::Utc;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::email_address;
use crate::hooks::use_session;
use crate::i18n::{Text, use_locale};
use crate::platform::label;
use crate::routes::Route;
use crate::time::relative_past;

#[derive(Properties, PartialEq)]
pub struct RoleHomeProps {
    pub title: Text,
    pub blurb: Text,
}

/// A role's dashboard: who is signed in, on which device since when, and the way to the
/// profile page; then what the role's part of the platform holds.
#[component]
pub fn RoleHome(props: &RoleHomeProps) -> Html {
    let locale = use_locale();
    let session = use_session();
    let welcome = session.active().map(|auth| html! {
        <section class="card welcome" aria-labelledby="welcome-title">
            <h1 id="welcome-title">{ locale.welcome(&auth.user.name) }</h1>
            <dl class="facts">
                <dt>{ locale.text(Text::Email) }</dt><dd>{ email_address(&auth.user.email) }</dd>
                <dt>{ locale.text(Text::Role) }</dt><dd>{ locale.role(auth.user.role) }</dd>
                <dt>{ locale.text(Text::SignedInSince) }</dt>
                <dd>{ relative_past(locale, Utc::now(), auth.session.created) }
                    { " · " }{ label(locale, &auth.session) }</dd>
            </dl>
            <Link<Route> to={Route::Profile { locale }} classes="button">{ locale.text(Text::ManageSessions) }</Link<Route>>
        </section>
    });
    html! {
        <>
            { welcome.unwrap_or_default() }
            <section class="card">
                <h2>{ locale.text(props.title) }</h2>
                <p>{ locale.text(props.blurb) }</p>
            </section>
        </>
    }
}
