//! One component per route.

mod admin;
mod dashboard;
mod home;
mod login;
mod not_found;
mod profile;

pub use admin::AdminConsole;
pub use dashboard::RoleHome;
pub use home::HomeRedirect;
pub use login::LoginPage;
pub use not_found::NotFound;
pub use profile::ProfilePage;
