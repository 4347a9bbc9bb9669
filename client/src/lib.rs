//! The Hallpass single-page app: locale-prefixed routes, one role layout per dashboard,
//! the session store with its SessionInitializer, the Active Sessions panel and the admin
//! console. It talks to its own origin only (`/api/...`); the session token lives in an
//! HttpOnly cookie and never reaches this code.

#[cfg(feature = "admin")]
mod admin;
pub mod api;
mod app;
pub mod components;
mod dom;
mod event_sentences;
pub mod hooks;
pub mod i18n;
pub mod layouts;
mod pages;
pub mod places;
mod platform;
pub mod routes;
pub mod state;
pub mod time;

pub use app::App;
