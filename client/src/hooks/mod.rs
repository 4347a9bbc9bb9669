//! Custom hooks.

mod use_load;
mod use_now;
mod use_pages;
mod use_session;
mod use_session_initializer;

pub use use_load::{Load, UseLoadHandle, use_load};
pub use use_now::use_now;
pub use use_pages::{UsePagesHandle, use_pages};
pub use use_session::use_session;
pub use use_session_initializer::use_session_initializer;
