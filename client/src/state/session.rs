//! The session store: who is signed in, with which session, as the server last said.
//! [`SessionProvider`] sits above every route and asks `GET /api/auth/session` on start,
//! on every navigation, whenever the window regains focus and once a minute, so a session
//! revoked elsewhere is noticed as soon as the user looks at this tab again. It also hears
//! from the API layer when any call answers that the session has ended.

use std::rc::Rc;

use gloo_events::EventListener;
use gloo_timers::callback::Interval;
use hallpass_shared::{AuthResponse, SessionView};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::{self, ApiError};

/// What the app knows about the visitor's session.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionStatus {
    /// Waiting for the server's first answer.
    Loading,
    /// Nobody is signed in. `ended` is set when a session this tab was using was ended
    /// (revoked, expired, user deactivated), so the login page can say so.
    Anonymous { ended: bool },
    /// Signed in.
    Active(Rc<AuthResponse>),
    /// The server could not say (down, overloaded); nothing is assumed.
    Unavailable(ApiError),
}

#[derive(Debug, Clone, PartialEq)]
pub struct SessionState {
    pub status: SessionStatus,
}

impl Default for SessionState {
    fn default() -> Self {
        Self {
            status: SessionStatus::Loading,
        }
    }
}

impl SessionState {
    pub fn active(&self) -> Option<&AuthResponse> {
        match &self.status {
            SessionStatus::Active(auth) => Some(auth),
            _ => None,
        }
    }
}

pub enum SessionAction {
    /// The server confirmed a session: at start, after a navigation, or after login.
    SignedIn(AuthResponse),
    /// `ensure` refreshed the record of the current session.
    Ensured(SessionView),
    /// The visitor signed out here.
    SignedOut,
    /// The server said the session is over (any 401 other than a failed login).
    Ended,
    /// The server could not be asked.
    Unavailable(ApiError),
}

impl Reducible for SessionState {
    type Action = SessionAction;

    fn reduce(self: Rc<Self>, action: SessionAction) -> Rc<Self> {
        let status = match action {
            SessionAction::SignedIn(auth) => SessionStatus::Active(Rc::new(auth)),
            SessionAction::Ensured(session) => match &self.status {
                SessionStatus::Active(auth) if auth.session.id == session.id => {
                    SessionStatus::Active(Rc::new(AuthResponse {
                        user: auth.user.clone(),
                        session,
                    }))
                }
                _ => return self,
            },
            SessionAction::SignedOut => SessionStatus::Anonymous { ended: false },
            // Several calls in flight may all hear the news; the first one decides.
            SessionAction::Ended => SessionStatus::Anonymous {
                ended: match self.status {
                    SessionStatus::Active(_) => true,
                    SessionStatus::Anonymous { ended } => ended,
                    _ => false,
                },
            },
            SessionAction::Unavailable(error) => match &self.status {
                // A hiccup after the session was known keeps the page usable.
                SessionStatus::Active(_) => return self,
                _ => SessionStatus::Unavailable(error),
            },
        };
        Rc::new(Self { status })
    }
}

pub type SessionContext = UseReducerHandle<SessionState>;

/// How often an open tab re-checks its session without any user action.
const RECHECK_EVERY_MS: u32 = 60_000;

/// Asks the server who is signed in and tells the store. A 401 is told by the API layer.
fn check(dispatcher: UseReducerDispatcher<SessionState>) {
    wasm_bindgen_futures::spawn_local(async move {
        match api::auth::current().await {
            Ok(auth) => dispatcher.dispatch(SessionAction::SignedIn(auth)),
            Err(ApiError::Server { status: 401, .. }) => {}
            Err(error) => dispatcher.dispatch(SessionAction::Unavailable(error)),
        }
    });
}

#[derive(Properties, PartialEq)]
pub struct SessionProviderProps {
    pub children: Html,
}

/// Provides [`SessionContext`] to everything below it; must sit inside the router.
#[component]
pub fn SessionProvider(props: &SessionProviderProps) -> Html {
    let session = use_reducer(SessionState::default);
    let path = use_location().map(|location| location.path().to_owned());

    {
        let dispatcher = session.dispatcher();
        use_effect_with((), move |_| {
            api::on_session_end(Callback::from(move |_| {
                dispatcher.dispatch(SessionAction::Ended)
            }));
        });
    }
    {
        let dispatcher = session.dispatcher();
        // Nobody to re-check on navigation once the visitor is known to be anonymous: the
        // login page starts the next session.
        let anonymous = matches!(session.status, SessionStatus::Anonymous { .. });
        use_effect_with(path, move |_| {
            if !anonymous {
                check(dispatcher);
            }
        });
    }
    {
        let dispatcher = session.dispatcher();
        use_effect_with((), move |_| {
            let on_focus = web_sys::window().map(|window| {
                let dispatcher = dispatcher.clone();
                EventListener::new(&window, "focus", move |_| check(dispatcher.clone()))
            });
            let clock = Interval::new(RECHECK_EVERY_MS, move || check(dispatcher.clone()));
            move || drop((on_focus, clock))
        });
    }

    html! {
        <ContextProvider<SessionContext> context={session}>
            { props.children.clone() }
        </ContextProvider<SessionContext>>
    }
}
