//! The shell around every signed-in page: [`RoleLayout`], given the role a page is for
//! (`<RoleLayout role={Role::Student}>` for the student dashboard; without a role, as on
//! the profile, it admits every signed-in user).

mod role_layout;

pub use role_layout::RoleLayout;
