use yew::prelude::*;

use crate::state::session::SessionContext;

/// The session store. Re-renders the caller whenever the store changes.
///
/// # Panics
/// Outside a `SessionProvider`, which wraps the whole app: a wiring mistake caught by the
/// first render of any test, not a runtime condition.
#[hook]
pub fn use_session() -> SessionContext {
    #[allow(clippy::expect_used)]
    use_context::<SessionContext>().expect("use_session needs a SessionProvider above it")
}
