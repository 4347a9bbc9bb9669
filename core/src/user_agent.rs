//! Device, browser and OS from a `User-Agent`, via woothee; `Unknown` for what it cannot read.

use hallpass_shared::DeviceKind;

/// What the session list shows about a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    pub device: DeviceKind,
    pub browser: String,
    pub os: String,
}

pub const UNKNOWN: &str = "Unknown";

pub fn parse(user_agent: &str) -> Platform {
    let Some(parsed) = woothee::parser::Parser::new().parse(user_agent) else {
        return Platform {
            device: DeviceKind::Unknown,
            browser: UNKNOWN.into(),
            os: UNKNOWN.into(),
        };
    };
    Platform {
        device: DeviceKind::from_name(parsed.category),
        browser: with_version(parsed.name, parsed.version),
        os: os_name(parsed.os, &parsed.os_version),
    }
}

fn known(value: &str) -> Option<&str> {
    let value = value.trim();
    (!value.is_empty() && value != woothee::woothee::VALUE_UNKNOWN).then_some(value)
}

fn with_version(name: &str, version: &str) -> String {
    match (known(name), known(version)) {
        (Some(name), Some(version)) => format!("{name} {version}"),
        (Some(name), None) => name.to_owned(),
        (None, _) => UNKNOWN.to_owned(),
    }
}

/// Windows names already carry the release (`Windows 10`); elsewhere the version helps
/// (`Mac OSX 10.15.7`, `Android 14`).
fn os_name(os: &str, version: &str) -> String {
    match known(os) {
        Some(os) if os.starts_with("Windows") => os.to_owned(),
        _ => with_version(os, version),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHROME_WINDOWS: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 \
        (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
    const SAFARI_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) \
        AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1";

    #[test]
    fn desktop_chrome() {
        let platform = parse(CHROME_WINDOWS);
        assert_eq!(platform.device, DeviceKind::Computer);
        assert_eq!(platform.browser, "Chrome 120.0.0.0");
        assert_eq!(platform.os, "Windows 10");
    }

    #[test]
    fn phone_safari() {
        let platform = parse(SAFARI_IPHONE);
        assert_eq!(platform.device, DeviceKind::Smartphone);
        assert!(platform.browser.starts_with("Safari"), "{platform:?}");
        assert!(platform.os.starts_with("iPhone"), "{platform:?}");
    }

    #[test]
    fn unreadable_agents_are_unknown() {
        for agent in ["", "curl-ish \u{1F600} gibberish", "\0\0"] {
            let platform = parse(agent);
            assert_eq!(platform.device, DeviceKind::Unknown, "{agent:?}");
            assert_eq!(platform.browser, "Unknown", "{agent:?}");
            assert_eq!(platform.os, "Unknown", "{agent:?}");
        }
    }
}
