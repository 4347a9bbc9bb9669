//! The SessionInitializer: makes sure the server holds a record of the current session by
//! posting `/api/sessions/ensure` exactly once per session per tab.
//!
//! Every role layout mounts this hook, and layouts unmount and remount as the user moves
//! between pages, so "once per mount" would post again on every navigation. The claim is
//! therefore kept for the life of the tab, keyed by session id, and taken *before* the
//! request starts: a second layout mounting while the first request is in flight finds it
//! claimed. The server's idempotent `ensure` is the backstop, not the mechanism.

use std::cell::RefCell;
use std::collections::HashSet;

use hallpass_shared::SessionId;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api;
use crate::hooks::use_session;
use crate::state::session::SessionAction;

thread_local! {
    /// Sessions ensured, or being ensured, by this tab.
    static CLAIMED: RefCell<HashSet<SessionId>> = RefCell::new(HashSet::new());
}

/// Claims `session` for initialisation; false when this tab already did (or is doing) it.
fn claim(session: SessionId) -> bool {
    CLAIMED.with(|claimed| claimed.borrow_mut().insert(session))
}

/// Gives the claim back after a failed attempt, so the next layout mount retries.
fn release(session: SessionId) {
    CLAIMED.with(|claimed| claimed.borrow_mut().remove(&session));
}

/// Posts `ensure` for the signed-in session unless this tab already has. Looks again when
/// the session changes (sign-in, another user) and on every navigation — the router keeps
/// a layout mounted across pages of the same shape, and a failed attempt must be retried —
/// but a look at a claimed session costs nothing; re-renders do not look at all.
#[hook]
pub fn use_session_initializer() {
    let session = use_session();
    let current = session.active().map(|auth| auth.session.id);
    let path = use_location().map(|location| location.path().to_owned());
    let dispatcher = session.dispatcher();
    use_effect_with((current, path), move |(current, _)| {
        let Some(id) = *current else { return };
        if !claim(id) {
            return;
        }
        wasm_bindgen_futures::spawn_local(async move {
            match api::sessions::ensure().await {
                Ok(ensured) => {
                    web_sys::console::info_1(&"Session initialized in store".into());
                    dispatcher.dispatch(SessionAction::Ensured(ensured.session));
                }
                Err(_) => release(id),
            }
        });
    });
}
