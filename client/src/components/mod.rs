//! Reusable pieces of pages.

mod active_sessions;
mod device_icon;
mod email_address;
mod error_banner;
mod event_table;
mod form_problem;
mod locale_switcher;
mod moment;
mod nav;
mod new_device_notice;
mod pager;
mod password_form;
mod reauth_dialog;
mod session_card;
mod session_list;
mod session_name_form;
mod spinner;

pub use active_sessions::{ActiveSessions, ActiveSessionsProps};
pub use device_icon::device_icon;
pub use email_address::email_address;
pub use error_banner::error_banner;
pub use event_table::{EventTable, event_table};
pub use form_problem::{FormField, FormProblem, focus};
pub use locale_switcher::locale_switcher;
pub use moment::moment;
pub use nav::nav;
pub use new_device_notice::NewDeviceNotice;
pub use pager::pager;
pub use password_form::PasswordForm;
pub use reauth_dialog::ReauthDialog;
pub use session_card::SessionCard;
pub use session_list::{SessionActions, session_list};
pub use session_name_form::SessionNameForm;
pub use spinner::spinner;
