use yew::prelude::*;
use yew_router::prelude::*;

use crate::routes::{Route, switch};
use crate::state::session::SessionProvider;

/// The whole app: the router, the session store above every route, and the routes.
#[component]
pub fn App() -> Html {
    html! {
        <BrowserRouter>
            <SessionProvider>
                <Switch<Route> render={switch} />
            </SessionProvider>
        </BrowserRouter>
    }
}
