//! One component per route.

mod dashboard;
mod home;
mod login;
mod not_found;
mod profile;

pub use dashboard::RoleHome;
pub use home::HomeRedirect;
pub use login::LoginPage;
pub use not_found::NotFound;
pub use profile::ProfilePage;
