//! Reusable pieces of pages.

mod active_sessions;
mod audit_trail;
mod device_icon;
mod error_banner;
mod event_table;
mod locale_switcher;
mod moment;
mod nav;
mod new_device_notice;
mod new_user_form;
mod pager;
mod password_form;
mod session_card;
mod session_list;
mod session_name_form;
mod spinner;
mod user_sessions;
mod user_table;

pub use active_sessions::{ActiveSessions, ActiveSessionsProps};
pub use audit_trail::AuditTrail;
pub use device_icon::device_icon;
pub use error_banner::error_banner;
pub use event_table::{EventTable, event_table};
pub use locale_switcher::locale_switcher;
pub use moment::moment;
pub use nav::nav;
pub use new_device_notice::NewDeviceNotice;
pub use new_user_form::NewUserForm;
pub use pager::pager;
pub use password_form::PasswordForm;
pub use session_card::SessionCard;
pub use session_list::{SessionActions, session_list};
pub use session_name_form::SessionNameForm;
pub use spinner::spinner;
pub use user_sessions::UserSessions;
pub use user_table::{UserChange, UserTable};
