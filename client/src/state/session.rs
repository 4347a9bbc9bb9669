//! The session store: who is signed in, with which session, as the server last said.
//! [`SessionProvider`] sits above every route and asks `GET /api/auth/session` on start,
//! on every navigation, whenever the window regains focus and once a minute, so a session
//! revoked elsewhere is noticed as soon as the user looks at this tab again. It also hears
//! from the API layer when any call answers that the session has ended.

use std::rc::Rc;

use gloo_events::EventListener;
use gloo_timers::callback::Interval;
use hallpass_shared::{AuthResponse, ErrorCode, ErrorDetail, RevokedReason, SessionView};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::{self, ApiError};

/// What the app knows about the visitor's session.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionStatus {
    /// Waiting for the server's first answer.
    Loading,
    /// Nobody is signed in; `departure` says how the last session of this tab went, so
    /// the login page can say so.
    Anonymous { departure: Departure },
    /// Signed in.
    Active(Rc<AuthResponse>),
    /// The server could not say (down, overloaded); nothing is assumed.
    Unavailable(ApiError),
}

/// How this tab's last session went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Departure {
    /// There was none (a fresh visit).
    None,
    /// The visitor signed out here.
    SignedOut,
    /// It was ended elsewhere; the server's code and, for a revocation, its reason.
    Ended {
        code: ErrorCode,
        reason: Option<RevokedReason>,
    },
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
    /// The server said the session is over (any 401 other than a failed login), and why.
    Ended {
        code: ErrorCode,
        reason: Option<RevokedReason>,
    },
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
                        token: None,
                    }))
                }
                _ => return self,
            },
            SessionAction::SignedOut => SessionStatus::Anonymous {
                departure: Departure::SignedOut,
            },
            // Several calls in flight may all hear the news; the first one decides.
            SessionAction::Ended { code, reason } => SessionStatus::Anonymous {
                departure: match self.status {
                    SessionStatus::Active(_) => Departure::Ended { code, reason },
                    SessionStatus::Anonymous { departure } => departure,
                    _ => Departure::None,
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
pub fn check_session(dispatcher: UseReducerDispatcher<SessionState>) {
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
            api::on_session_end(Callback::from(move |detail: ErrorDetail| {
                dispatcher.dispatch(SessionAction::Ended {
                    code: detail.code,
                    reason: detail.reason,
                })
            }));
        });
    }
    // Nobody to re-check once the visitor is known to be anonymous (no 401 a minute in
    // the console of an idle login page): the login page starts the next session.
    let anonymous = matches!(session.status, SessionStatus::Anonymous { .. });
    let signed_out = use_mut_ref(|| false);
    *signed_out.borrow_mut() = anonymous;
    {
        let dispatcher = session.dispatcher();
        use_effect_with(path, move |_| {
            if !anonymous {
                check_session(dispatcher);
            }
        });
    }
    {
        let dispatcher = session.dispatcher();
        use_effect_with((), move |_| {
            let recheck = move || {
                if !*signed_out.borrow() {
                    check_session(dispatcher.clone());
                }
            };
            let on_focus = web_sys::window().map(|window| {
                let recheck = recheck.clone();
                EventListener::new(&window, "focus", move |_| recheck())
            });
            let clock = Interval::new(RECHECK_EVERY_MS, recheck);
            move || drop((on_focus, clock))
        });
    }

    html! {
        <ContextProvider<SessionContext> context={session}>
            { props.children.clone() }
        </ContextProvider<SessionContext>>
    }
}
