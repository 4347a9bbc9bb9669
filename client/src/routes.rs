//! Every client route, under a locale prefix, and where each role belongs.

use hallpass_shared::Role;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::i18n::{Locale, Text};
use crate::layouts::RoleLayout;
use crate::pages::{HomeRedirect, LoginPage, NotFound, ProfilePage, RoleHome};

/// Where a signed-out visitor was going when they were sent to the login page, kept for
/// this tab only (`sessionStorage`) and followed once they sign in. Only a path this app
/// routes is followed, so nothing stored can send anyone elsewhere.
pub mod after_login {
    use yew_router::Routable as _;

    use super::Route;

    const KEY: &str = "hallpass.after_login";

    /// Remembers `path` as the page to open after signing in.
    pub fn remember(path: &str) {
        if let Some(storage) = storage() {
            let _ = storage.set_item(KEY, path);
        }
    }

    /// Forgets the remembered page (once the visitor is on their way to it).
    pub fn forget() {
        if let Some(storage) = storage() {
            let _ = storage.remove_item(KEY);
        }
    }

    /// The page to open after signing in, if one worth returning to was remembered.
    pub fn page() -> Option<Route> {
        let path = storage()?.get_item(KEY).ok()??;
        Route::recognize(&path).filter(|route| {
            !matches!(
                route,
                Route::Root | Route::Home { .. } | Route::Login { .. } | Route::NotFound
            )
        })
    }

    fn storage() -> Option<web_sys::Storage> {
        web_sys::window()?.session_storage().ok().flatten()
    }
}

#[derive(Debug, Clone, PartialEq, Routable)]
pub enum Route {
    #[at("/")]
    Root,
    #[at("/:locale")]
    Home { locale: Locale },
    #[at("/:locale/login")]
    Login { locale: Locale },
    #[at("/:locale/student")]
    Student { locale: Locale },
    #[at("/:locale/teacher")]
    Teacher { locale: Locale },
    #[at("/:locale/admin")]
    Admin { locale: Locale },
    #[at("/:locale/admin/policies")]
    AdminPolicies { locale: Locale },
    #[at("/:locale/profile")]
    Profile { locale: Locale },
    #[not_found]
    #[at("/404")]
    NotFound,
}

impl Route {
    /// The route's language; routes without one use the visitor's preference.
    pub fn locale(&self) -> Locale {
        match self {
            Self::Root | Self::NotFound => Locale::preferred(),
            Self::Home { locale }
            | Self::Login { locale }
            | Self::Student { locale }
            | Self::Teacher { locale }
            | Self::Admin { locale }
            | Self::AdminPolicies { locale }
            | Self::Profile { locale } => *locale,
        }
    }

    /// The same page in another language.
    pub fn in_locale(&self, locale: Locale) -> Self {
        match self {
            Self::Root | Self::Home { .. } => Self::Home { locale },
            Self::Login { .. } => Self::Login { locale },
            Self::Student { .. } => Self::Student { locale },
            Self::Teacher { .. } => Self::Teacher { locale },
            Self::Admin { .. } => Self::Admin { locale },
            Self::AdminPolicies { .. } => Self::AdminPolicies { locale },
            Self::Profile { .. } => Self::Profile { locale },
            Self::NotFound => Self::NotFound,
        }
    }

    /// What the page is called in the tab's title; redirects have no title of their own.
    fn title(&self) -> Option<Text> {
        match self {
            Self::Root | Self::Home { .. } => None,
            Self::Login { .. } => Some(Text::SignIn),
            Self::Student { .. } => Some(Text::StudentDashboard),
            Self::Teacher { .. } => Some(Text::TeacherDashboard),
            Self::Admin { .. } => Some(Text::AdminConsole),
            Self::AdminPolicies { .. } => Some(Text::PoliciesTitle),
            Self::Profile { .. } => Some(Text::Profile),
            Self::NotFound => Some(Text::NotFoundTitle),
        }
    }

    /// Where a user of `role` lands after signing in.
    pub fn dashboard(role: Role, locale: Locale) -> Self {
        match role {
            Role::Student => Self::Student { locale },
            Role::Teacher => Self::Teacher { locale },
            Role::Admin => Self::Admin { locale },
        }
    }

    /// For a path whose first segment is not a known locale but whose rest is a page
    /// (`/de/login`), that page in the visitor's preferred language.
    pub fn from_unknown_locale(path: &str) -> Option<Self> {
        let mut segments = path.trim_matches('/').splitn(2, '/');
        let (_, rest) = (segments.next()?, segments.next()?);
        Self::recognize(&format!("/{}/{rest}", Locale::preferred()))
            .filter(|route| *route != Self::NotFound)
    }
}

pub fn switch(route: Route) -> Html {
    let locale = route.locale();
    let page = match route.clone() {
        Route::Root | Route::Home { .. } => html! { <HomeRedirect /> },
        Route::Login { .. } => html! { <LoginPage /> },
        Route::Student { .. } => html! {
            <RoleLayout role={Role::Student}>
                <RoleHome title={Text::StudentDashboard} blurb={Text::StudentBlurb} />
            </RoleLayout>
        },
        Route::Teacher { .. } => html! {
            <RoleLayout role={Role::Teacher}>
                <RoleHome title={Text::TeacherDashboard} blurb={Text::TeacherBlurb} />
            </RoleLayout>
        },
        Route::Admin { .. } => admin_page(AdminPage::Console),
        Route::AdminPolicies { .. } => admin_page(AdminPage::Policies),
        Route::Profile { .. } => html! { <RoleLayout><ProfilePage /></RoleLayout> },
        Route::NotFound => html! { <NotFound /> },
    };
    html! { <PageScope {route} {locale}>{ page }</PageScope> }
}

/// The pages of the admin console.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AdminPage {
    /// Users, their sessions, the audit trail.
    Console,
    Policies,
}

/// An admin console page, in this bundle when it was built with the `admin` feature (the
/// bundle of `admin.html`).
#[cfg(feature = "admin")]
fn admin_page(page: AdminPage) -> Html {
    let page = match page {
        AdminPage::Console => html! { <crate::admin::AdminConsole /> },
        AdminPage::Policies => html! { <crate::admin::PoliciesPage /> },
    };
    html! { <RoleLayout role={Role::Admin}>{ page }</RoleLayout> }
}

/// Without the console in this bundle, the page is loaded again from the server, which
/// answers admin routes with `admin.html`.
#[cfg(not(feature = "admin"))]
fn admin_page(_: AdminPage) -> Html {
    html! { <LoadAdminBundle /> }
}

/// Reloads the admin route this bundle was sent to from within the app. If the document
/// was loaded at this very address, the server has no `admin.html` to give (a build
/// without it): reloading would only loop, so the page is not found.
#[cfg(not(feature = "admin"))]
#[component]
fn LoadAdminBundle() -> Html {
    let locale = crate::i18n::use_locale();
    let loaded_here = crate::dom::loaded_at_current_address();
    use_effect_with(loaded_here, |loaded_here| {
        if !loaded_here {
            crate::dom::reload();
        }
    });
    if loaded_here {
        html! { <NotFound /> }
    } else {
        crate::components::spinner(locale)
    }
}

#[derive(Properties, PartialEq)]
struct PageScopeProps {
    route: Route,
    locale: Locale,
    children: Html,
}

/// Gives a page its language: the locale context below, and the document's `lang` and
/// title above (what screen readers announce and tabs show).
#[component]
fn PageScope(props: &PageScopeProps) -> Html {
    let title = props.route.title().map(|text| props.locale.text(text));
    use_effect_with((props.locale, title), |(locale, title)| {
        let Some(document) = web_sys::window().and_then(|window| window.document()) else {
            return;
        };
        if let Some(root) = document.document_element() {
            let _ = root.set_attribute("lang", locale.tag());
        }
        document.set_title(&match title {
            Some(title) => format!("{title} · Hallpass"),
            None => "Hallpass".to_owned(),
        });
    });
    html! {
        <ContextProvider<Locale> context={props.locale}>{ props.children.clone() }</ContextProvider<Locale>>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_carry_the_locale() {
        assert_eq!(Route::Login { locale: Locale::Fr }.to_path(), "/fr/login");
        assert_eq!(
            Route::recognize("/en/profile"),
            Some(Route::Profile { locale: Locale::En })
        );
        assert_eq!(Route::recognize("/de/profile"), Some(Route::NotFound));
        assert_eq!(
            Route::recognize("/fr"),
            Some(Route::Home { locale: Locale::Fr })
        );
    }

    #[test]
    fn switching_language_keeps_the_page() {
        let page = Route::Teacher { locale: Locale::En };
        assert_eq!(
            page.in_locale(Locale::Fr),
            Route::Teacher { locale: Locale::Fr }
        );
    }

    #[test]
    fn each_role_has_its_own_dashboard() {
        assert_eq!(
            Route::dashboard(Role::Admin, Locale::En).to_path(),
            "/en/admin"
        );
        assert_eq!(
            Route::dashboard(Role::Student, Locale::Fr).to_path(),
            "/fr/student"
        );
    }

    #[test]
    fn unknown_locales_fall_back_to_a_known_one() {
        assert_eq!(
            Route::from_unknown_locale("/de/login"),
            Some(Route::Login {
                locale: Locale::preferred()
            })
        );
        assert_eq!(Route::from_unknown_locale("/de/nothing-here"), None);
        assert_eq!(Route::from_unknown_locale("/de"), None);
    }
}
