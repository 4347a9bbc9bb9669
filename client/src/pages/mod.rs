//! One component per route.

mod dashboard;
mod home;
mod login;
mod not_found;
mod password_required;
mod profile;

pub use dashboard::RoleHome;
pub use home::HomeRedirect;
pub use login::LoginPage;
pub use not_found::NotFound;
pub use password_required::PasswordRequired;
pub use profile::ProfilePage;
