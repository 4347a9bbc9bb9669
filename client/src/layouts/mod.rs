//! The shell around every signed-in page.

mod role_layout;

pub use role_layout::RoleLayout;
