//! Components and hooks in a real browser (headless Chromium through chromedriver), with
//! `window.fetch` replaced by a stub that answers like the server and records every call.

#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use chrono::Utc;
use hallpass_client::components::{ActiveSessions, ActiveSessionsProps};
use hallpass_client::layouts::RoleLayout;
use hallpass_client::routes::{Route, switch};
use hallpass_client::state::session::SessionProvider;
use hallpass_shared::{DeviceKind, Role, SessionId, SessionView, UserId, UserView};
use serde_json::{Value, json};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;
use yew_router::history::{AnyHistory, History, MemoryHistory};
use yew_router::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
export function install_fetch_stub(routes) {
  const table = JSON.parse(routes);
  window.__calls = [];
  window.fetch = async (input, init) => {
    const request = new Request(input, init);
    const key = request.method + ' ' + new URL(request.url).pathname;
    window.__calls.push(key);
    const answer = table[key] ?? { status: 404, body: { error: { code: 'not_found', message: 'no stub for ' + key } } };
    await new Promise((done) => setTimeout(done, answer.delay ?? 0));
    if (answer.unreachable) throw new TypeError('Failed to fetch');
    const body = answer.status === 204 ? null : JSON.stringify(answer.body);
    const headers = { 'content-type': 'application/json', ...(answer.headers ?? {}) };
    return new Response(body, { status: answer.status, headers });
  };
}
export function recorded_calls() { return JSON.stringify(window.__calls); }
export function sleep(ms) { return new Promise((done) => setTimeout(done, ms)); }
"#)]
extern "C" {
    fn install_fetch_stub(routes: &str);
    fn recorded_calls() -> String;
    fn sleep(ms: u32) -> js_sys::Promise;
}

/// Answers, keyed by `"METHOD /path"`.
fn stub(routes: Value) {
    install_fetch_stub(&routes.to_string());
}

fn calls() -> Vec<String> {
    serde_json::from_str(&recorded_calls()).unwrap_or_default()
}

fn count(call: &str) -> usize {
    calls().iter().filter(|made| *made == call).count()
}

/// Lets fetches answer and Yew re-render.
async fn settle() {
    for _ in 0..5 {
        let _ = wasm_bindgen_futures::JsFuture::from(sleep(10)).await;
        yew::scheduler::flush().await;
    }
}

/// Waits until `done` holds, failing the test after about three seconds.
async fn until(what: &str, done: impl Fn() -> bool) {
    for _ in 0..300 {
        if done() {
            return;
        }
        let _ = wasm_bindgen_futures::JsFuture::from(sleep(10)).await;
        yew::scheduler::flush().await;
    }
    panic!("timed out waiting for {what}; calls so far: {:?}", calls());
}

fn root() -> Element {
    let document = gloo_document();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    root
}

fn gloo_document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn user(role: Role) -> UserView {
    UserView {
        id: UserId::random(),
        email: format!("{}@school.test", role.as_str()),
        name: format!("Test {}", role.as_str()),
        role,
        is_active: true,
        created_at: Utc::now(),
        must_change_password: false,
    }
}

fn session(is_current: bool, browser: &str) -> SessionView {
    let now = Utc::now();
    SessionView {
        id: SessionId::random(),
        ip_address: "192.0.2.7".into(),
        user_agent: "test".into(),
        device: DeviceKind::Computer,
        browser: browser.into(),
        os: "Linux".into(),
        created: now - chrono::Duration::minutes(3),
        last_seen_at: now - chrono::Duration::minutes(1),
        expires_at: now + chrono::Duration::days(30),
        is_current,
        name: None,
        location: None,
        new_device: false,
        shared_device: false,
    }
}

/// The server's answers for a signed-in `role` whose session is `current`.
fn signed_in(role: Role, current: &SessionView) -> Value {
    json!({
        "GET /api/auth/session": { "status": 200, "body": { "user": user(role), "session": current } },
        // Slow enough that layouts mounting meanwhile find the request in flight.
        "POST /api/sessions/ensure": { "status": 200, "delay": 50, "body": { "exists": true, "session": current } },
        "GET /api/sessions": { "status": 200, "body": { "sessions": [current] } },
        "GET /api/sessions/new-devices": { "status": 200, "body": { "sessions": [] } },
    })
}

#[derive(Properties, PartialEq)]
struct AppAtProps {
    history: AnyHistory,
}

/// The real app routes on an in-memory history the test can drive.
#[component]
fn AppAt(props: &AppAtProps) -> Html {
    html! {
        <Router history={props.history.clone()}>
            <SessionProvider>
                <Switch<Route> render={switch} />
            </SessionProvider>
        </Router>
    }
}

fn render_app_at(path: &str) -> (AnyHistory, Element) {
    let history = AnyHistory::from(MemoryHistory::with_entries(vec![path.to_owned()]));
    let root = root();
    yew::Renderer::<AppAt>::with_root_and_props(
        root.clone(),
        AppAtProps {
            history: history.clone(),
        },
    )
    .render();
    (history, root)
}

#[wasm_bindgen_test]
async fn initializer_posts_once_across_navigation_between_layouts() {
    let current = session(true, "Firefox 140");
    stub(signed_in(Role::Student, &current));
    let (history, root) = render_app_at("/en/student");
    until("the dashboard", || {
        root.text_content().unwrap_or_default().contains("Welcome")
    })
    .await;
    for path in ["/en/profile", "/en/student", "/en/profile", "/fr/student"] {
        history.push(path);
        settle().await;
    }
    until("the last page", || {
        root.text_content()
            .unwrap_or_default()
            .contains("Bienvenue")
    })
    .await;
    assert_eq!(count("POST /api/sessions/ensure"), 1, "{:?}", calls());
    assert!(
        count("GET /api/auth/session") >= 5,
        "the session is re-checked on every page"
    );
}

#[derive(Properties, PartialEq)]
struct TwoLayoutsProps {
    /// Whether the second layout is mounted.
    second: bool,
    /// Changes force a re-render of both.
    tick: u32,
}

#[component]
fn TwoLayouts(props: &TwoLayoutsProps) -> Html {
    html! {
        <BrowserRouter>
            <SessionProvider>
                <RoleLayout><p>{ format!("first {}", props.tick) }</p></RoleLayout>
                if props.second {
                    <RoleLayout><p>{ "second" }</p></RoleLayout>
                }
            </SessionProvider>
        </BrowserRouter>
    }
}

#[wasm_bindgen_test]
async fn initializer_posts_once_for_layouts_mounted_together_remounted_and_rerendered() {
    let current = session(true, "Chrome 156");
    stub(signed_in(Role::Teacher, &current));
    let root = root();
    let mut app = yew::Renderer::<TwoLayouts>::with_root_and_props(
        root.clone(),
        TwoLayoutsProps {
            second: true,
            tick: 0,
        },
    )
    .render();
    until("the first ensure", || {
        count("POST /api/sessions/ensure") == 1
    })
    .await;
    for tick in 1..=4 {
        app.update(TwoLayoutsProps {
            second: tick % 2 == 0,
            tick,
        });
        settle().await;
    }
    settle().await;
    assert!(root.text_content().unwrap_or_default().contains("first 4"));
    assert_eq!(count("POST /api/sessions/ensure"), 1, "{:?}", calls());
}

#[wasm_bindgen_test]
async fn a_failed_ensure_is_tried_again_by_the_next_layout() {
    let current = session(true, "Safari 19");
    let mut answers = signed_in(Role::Teacher, &current);
    answers["POST /api/sessions/ensure"] =
        json!({ "status": 503, "body": { "error": { "code": "unavailable", "message": "down" } } });
    stub(answers);
    let (history, _root) = render_app_at("/en/teacher");
    until("the failed ensure", || {
        count("POST /api/sessions/ensure") == 1
    })
    .await;
    settle().await;
    history.push("/en/profile");
    until("the retry", || count("POST /api/sessions/ensure") == 2).await;
}

#[wasm_bindgen_test]
async fn panel_lists_sessions_marks_this_device_and_revokes_the_chosen_one() {
    let current = session(true, "Firefox 140");
    let other = session(false, "Edge 150");
    stub(json!({
        "GET /api/sessions": { "status": 200, "body": { "sessions": [current, other] } },
        format!("DELETE /api/sessions/{}", other.id): { "status": 204 },
    }));
    let root = root();
    yew::Renderer::<ActiveSessions>::with_root_and_props(
        root.clone(),
        ActiveSessionsProps::default(),
    )
    .render();
    until("the cards", || cards(&root).len() == 2).await;

    let cards = cards(&root);
    let this = card_of(&cards, current.id);
    let that = card_of(&cards, other.id);
    assert!(text(this).contains("This device"));
    assert!(text(this).contains("3 minutes ago"));
    assert!(!text(that).contains("This device"));
    assert!(
        !text(this).contains("Sign out"),
        "the current session is ended by signing out, not revoked"
    );

    click(that, "Sign out");
    settle().await;
    assert_eq!(
        count(&format!("DELETE /api/sessions/{}", other.id)),
        0,
        "asks first"
    );
    click(that, "Yes, sign it out");
    until("the revoke", || {
        count(&format!("DELETE /api/sessions/{}", other.id)) == 1
    })
    .await;
    until("the reload", || count("GET /api/sessions") == 2).await;
    assert!(
        !calls()
            .iter()
            .any(|call| call.contains(&current.id.to_string()))
    );
}

#[wasm_bindgen_test]
async fn panel_says_so_when_the_list_cannot_load() {
    stub(json!({
        "GET /api/sessions": { "status": 503, "body": { "error": {
            "code": "unavailable", "message": "database down", "request_id": "req-42" } } },
    }));
    let root = root();
    yew::Renderer::<ActiveSessions>::with_root_and_props(
        root.clone(),
        ActiveSessionsProps::default(),
    )
    .render();
    until("the error", || {
        text(&root).contains("Could not load the sessions")
    })
    .await;
    assert!(text(&root).contains("req-42"), "the request id is shown");
}

#[wasm_bindgen_test]
async fn a_401_from_any_call_sends_the_user_to_the_login_page() {
    let current = session(true, "Firefox 140");
    let mut answers = signed_in(Role::Student, &current);
    answers["GET /api/sessions"] = json!({ "status": 401, "body": { "error": {
        "code": "session_revoked", "message": "session revoked" } } });
    stub(answers);
    let (history, root) = render_app_at("/fr/profile");
    until("the login page", || {
        history.location().path() == "/fr/login"
    })
    .await;
    until("the notice", || {
        text(&root).contains("Votre session a pris fin")
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_page_of_another_role_sends_the_user_to_their_own_dashboard() {
    let current = session(true, "Firefox 140");
    stub(signed_in(Role::Student, &current));
    let (history, _root) = render_app_at("/en/admin");
    until("the student dashboard", || {
        history.location().path() == "/en/student"
    })
    .await;
    assert_eq!(
        count("GET /api/admin/users"),
        0,
        "the admin page never loads"
    );
}

#[wasm_bindgen_test]
async fn a_demanded_password_comes_before_any_page_and_then_the_page_opens() {
    let current = session(true, "Firefox 140");
    let mut routes = signed_in(Role::Teacher, &current);
    let mut demanded = user(Role::Teacher);
    demanded.must_change_password = true;
    routes["GET /api/auth/session"] =
        json!({ "status": 200, "body": { "user": demanded, "session": current } });
    routes["POST /api/auth/password"] = json!({ "status": 204 });
    stub(routes);
    let (_history, root) = render_app_at("/en/teacher");
    until("the demand for a new password", || {
        root.text_content()
            .unwrap_or_default()
            .contains("An administrator asked you to choose a new password")
    })
    .await;
    let text = root.text_content().unwrap_or_default();
    assert!(!text.contains("Teacher dashboard"), "{text}");
    assert_eq!(
        count("GET /api/sessions/new-devices"),
        0,
        "nothing else is asked"
    );

    // Once changed, the session is asked again; the server no longer demands it.
    let mut routes = signed_in(Role::Teacher, &current);
    routes["POST /api/auth/password"] = json!({ "status": 204 });
    stub(routes);
    for (field, value) in [
        ("#current-password", "the old password"),
        ("#new-password", "a brand new password"),
        ("#repeat-password", "a brand new password"),
    ] {
        let input: web_sys::HtmlInputElement = root
            .query_selector(field)
            .unwrap()
            .expect(field)
            .dyn_into()
            .unwrap();
        input.set_value(value);
    }
    click(&root, "Change password");
    until("the dashboard", || {
        root.text_content()
            .unwrap_or_default()
            .contains("Teacher dashboard")
    })
    .await;
    assert_eq!(count("POST /api/auth/password"), 1);
}

/// Submits the login form of the app rendered in `root` with a password.
async fn submit_login(root: &Element) {
    until("the login form", || {
        root.query_selector("#email").ok().flatten().is_some()
    })
    .await;
    for (field, value) in [("#email", "ada@school.test"), ("#password", "a password")] {
        let input: web_sys::HtmlInputElement = root
            .query_selector(field)
            .unwrap()
            .unwrap()
            .dyn_into()
            .unwrap();
        input.set_value(value);
    }
    click(root, "Sign in");
}

#[wasm_bindgen_test]
async fn login_errors_are_shown_inline_and_the_form_waits_while_in_flight() {
    let anonymous = json!({ "status": 401, "body": { "error": {
        "code": "session_invalid", "message": "no session" } } });
    let cases = [
        (
            json!({ "status": 401, "delay": 100, "body": { "error": {
                "code": "invalid_credentials", "message": "invalid email or password" } } }),
            "Wrong email or password.",
        ),
        (
            json!({ "status": 429, "headers": { "retry-after": "42" }, "body": { "error": {
                "code": "rate_limited", "message": "too many attempts" } } }),
            "Too many attempts. Try again in 42 s.",
        ),
        (
            json!({ "unreachable": true }),
            "The server cannot be reached. Check your connection.",
        ),
    ];
    for (answer, message) in cases {
        stub(json!({ "GET /api/auth/session": anonymous, "POST /api/auth/login": answer }));
        let (history, root) = render_app_at("/en/login");
        submit_login(&root).await;
        let button = root.query_selector("button[type=submit]").unwrap().unwrap();
        if message.starts_with("Wrong") {
            yew::scheduler::flush().await;
            assert!(
                button.has_attribute("disabled"),
                "no second submit while in flight"
            );
        }
        until(message, || text(&root).contains(message)).await;
        assert!(!button.has_attribute("disabled"));
        assert_eq!(history.location().path(), "/en/login");
        root.remove();
    }
}

/// A sign-in from a new device in Germany, asked about on a page of each language.
#[wasm_bindgen_test]
async fn every_page_asks_about_a_new_device_in_the_readers_language() {
    for (locale, asked, no, answered) in [
        (
            "en",
            "New sign-in on Edge 150 · Linux, Germany",
            "No, sign it out",
            "was signed out",
        ),
        (
            "fr",
            "Nouvelle connexion sur Edge 150 · Linux, Allemagne",
            "Non, la déconnecter",
            "a été déconnecté",
        ),
    ] {
        let current = session(true, "Firefox 140");
        let mut new = session(false, "Edge 150");
        new.new_device = true;
        new.location = Some(hallpass_shared::Location {
            country: "DE".into(),
            region: None,
            city: None,
        });
        let mut routes = signed_in(Role::Student, &current);
        routes["GET /api/sessions/new-devices"] =
            json!({ "status": 200, "body": { "sessions": [new] } });
        routes[format!("POST /api/sessions/{}/deny", new.id)] = json!({ "status": 204 });
        stub(routes);
        let (_history, root) = render_app_at(&format!("/{locale}/student"));
        until("the question", || text(&root).contains(asked)).await;
        assert!(text(&root).contains("?"), "{}", text(&root));
        let notice = root.query_selector(".new-device").unwrap().unwrap();
        click(&notice, no);
        until("the answer", || text(&root).contains(answered)).await;
        assert_eq!(count(&format!("POST /api/sessions/{}/deny", new.id)), 1);
        root.remove();
    }
}

fn cards(root: &Element) -> Vec<Element> {
    let found = root.query_selector_all(".session-card").unwrap();
    (0..found.length())
        .filter_map(|i| found.item(i))
        .filter_map(|node| node.dyn_into::<Element>().ok())
        .collect()
}

fn card_of(cards: &[Element], id: SessionId) -> &Element {
    cards
        .iter()
        .find(|card| card.get_attribute("data-session-id") == Some(id.to_string()))
        .unwrap()
}

fn text(element: &Element) -> String {
    element.text_content().unwrap_or_default()
}

/// Clicks the button of `within` whose text is `label`.
fn click(within: &Element, label: &str) {
    let buttons = within.query_selector_all("button").unwrap();
    let button = (0..buttons.length())
        .filter_map(|i| buttons.item(i))
        .filter_map(|node| node.dyn_into::<HtmlElement>().ok())
        .find(|button| button.text_content().unwrap_or_default().trim() == label)
        .unwrap_or_else(|| panic!("no button {label:?} in {}", text(within)));
    button.click();
}
