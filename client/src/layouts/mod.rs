//! The shell around every signed-in page: one layout per role, each a [`RoleLayout`] that
//! admits only that role (the profile, open to every role, uses `RoleLayout` itself).

mod role_layout;

use hallpass_shared::Role;
use yew::prelude::*;

pub use role_layout::RoleLayout;

#[derive(Properties, PartialEq)]
pub struct LayoutProps {
    pub children: Html,
}

#[component]
pub fn StudentLayout(props: &LayoutProps) -> Html {
    html! { <RoleLayout role={Role::Student}>{ props.children.clone() }</RoleLayout> }
}

#[component]
pub fn TeacherLayout(props: &LayoutProps) -> Html {
    html! { <RoleLayout role={Role::Teacher}>{ props.children.clone() }</RoleLayout> }
}

#[component]
pub fn AdminLayout(props: &LayoutProps) -> Html {
    html! { <RoleLayout role={Role::Admin}>{ props.children.clone() }</RoleLayout> }
}
