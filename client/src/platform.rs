//! How a session's client reads on screen: "Chrome 131 · macOS 10.15.7" rather than the
//! recorded "Chrome 131.0.6778.81 · Mac OSX 10.15.7", and the program's own name for
//! clients that are not browsers ("curl 8.5.0"). The server records what woothee read;
//! only the words shown change.

use hallpass_shared::SessionView;

use crate::i18n::Locale;

const UNKNOWN: &str = "Unknown";

/// What the session is called: the name its owner gave it, else [`platform`], else its
/// kind of device ("Unknown device").
pub fn label(locale: Locale, session: &SessionView) -> String {
    session
        .name
        .clone()
        .or_else(|| platform(session))
        .unwrap_or_else(|| locale.device(session.device).to_owned())
}

/// "Browser · System", or the client program's name when neither is known; `None` when
/// nothing at all is known (the caller then names the device kind).
pub fn platform(session: &SessionView) -> Option<String> {
    let browser = (session.browser != UNKNOWN).then(|| major_version(&session.browser));
    let os = (session.os != UNKNOWN).then(|| system(&session.os));
    match (browser, os) {
        (Some(browser), Some(os)) => Some(format!("{browser} · {os}")),
        (None, Some(os)) => Some(os),
        // No system: a program rather than a browser (woothee calls curl and wget "HTTP
        // Library"), best named by its own product token.
        (browser, None) => program(&session.user_agent).or(browser),
    }
}

/// A browser with its major version only: `Chrome 131.0.6778.81` → `Chrome 131`.
fn major_version(browser: &str) -> String {
    match browser.rsplit_once(' ') {
        Some((name, version)) if version.starts_with(|c: char| c.is_ascii_digit()) => {
            let major = version.split('.').next().unwrap_or(version);
            format!("{name} {major}")
        }
        _ => browser.to_owned(),
    }
}

/// A browser without its version, for sentences: `Firefox 133.0` → `Firefox`.
pub fn browser_name(browser: &str) -> &str {
    match browser.rsplit_once(' ') {
        Some((name, version)) if version.starts_with(|c: char| c.is_ascii_digit()) => name,
        _ => browser,
    }
}

/// The system's current name: Apple's phones and tablets run iOS and iPadOS, its
/// computers macOS.
pub fn system(os: &str) -> String {
    let (name, version) = match os.rsplit_once(' ') {
        Some((name, version)) if version.starts_with(|c: char| c.is_ascii_digit()) => {
            (name, Some(version))
        }
        _ => (os, None),
    };
    let name = match name {
        "iPhone" | "iPod" => "iOS",
        "iPad" => "iPadOS",
        "Mac OSX" | "Mac OS X" => "macOS",
        other => other,
    };
    match version {
        Some(version) => format!("{name} {version}"),
        None => name.to_owned(),
    }
}

/// The first product of a user agent (`curl/8.5.0` → `curl 8.5.0`), for programs; `None`
/// for browsers, which all open with `Mozilla/5.0`.
fn program(user_agent: &str) -> Option<String> {
    let product = user_agent.split_whitespace().next()?;
    let (name, version) = product.split_once('/').unwrap_or((product, ""));
    let name: String = name.chars().filter(|c| !c.is_control()).take(40).collect();
    if name.is_empty() || name == "Mozilla" {
        return None;
    }
    Some(if version.is_empty() {
        name
    } else {
        format!("{name} {}", version.chars().take(20).collect::<String>())
    })
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use hallpass_shared::{DeviceKind, SessionId};

    use super::*;

    fn session(browser: &str, os: &str, user_agent: &str) -> SessionView {
        let now = Utc::now();
        SessionView {
            id: SessionId::random(),
            ip_address: "192.0.2.1".into(),
            user_agent: user_agent.into(),
            device: DeviceKind::Unknown,
            browser: browser.into(),
            os: os.into(),
            created: now,
            last_seen_at: now,
            expires_at: now,
            is_current: false,
            name: None,
            location: None,
            new_device: false,
            shared_device: false,
        }
    }

    #[test]
    fn browsers_show_their_major_version_and_systems_their_name() {
        let read = |browser, os| platform(&session(browser, os, "Mozilla/5.0"));
        assert_eq!(
            read("Chrome 131.0.6778.81", "Mac OSX 10.15.7").as_deref(),
            Some("Chrome 131 · macOS 10.15.7")
        );
        assert_eq!(
            read("Safari 17.5", "iPhone 17.5").as_deref(),
            Some("Safari 17 · iOS 17.5")
        );
        assert_eq!(
            read("Safari 17.5", "iPad 17.5").as_deref(),
            Some("Safari 17 · iPadOS 17.5")
        );
        assert_eq!(
            read("Firefox 133.0", "Windows 10").as_deref(),
            Some("Firefox 133 · Windows 10")
        );
        assert_eq!(read("Firefox", "Linux").as_deref(), Some("Firefox · Linux"));
        assert_eq!(
            read("Chrome 131.0", "Unknown").as_deref(),
            Some("Chrome 131")
        );
        let curl = session("HTTP Library curl", UNKNOWN, "curl/8.5.0");
        assert_eq!(platform(&curl).as_deref(), Some("curl 8.5.0"));
    }

    #[test]
    fn other_programs_show_their_own_name() {
        let read = |agent| platform(&session(UNKNOWN, UNKNOWN, agent));
        assert_eq!(read("curl/8.5.0").as_deref(), Some("curl 8.5.0"));
        assert_eq!(
            read("python-requests/2.31.0 extra").as_deref(),
            Some("python-requests 2.31.0")
        );
        assert_eq!(read("hallpass-tests").as_deref(), Some("hallpass-tests"));
        assert_eq!(read("").as_deref(), None);
    }
}
