//! Field rules shared by the SPA's forms and the server's handlers, so both reject the
//! same input with the same words.

/// Why a field was refused; the message is meant for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub &'static str);

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for Invalid {}

pub const PASSWORD_MIN_CHARS: usize = 10;
pub const PASSWORD_MAX_CHARS: usize = 256;
pub const EMAIL_MAX_CHARS: usize = 254;
pub const NAME_MAX_CHARS: usize = 100;
/// The longest password a login may present: hashing is costly, and a longer one could
/// never have been set.
pub const LOGIN_PASSWORD_MAX_BYTES: usize = 1024;

/// Normalises an email for storage and lookup: trimmed and lower-cased.
/// Uniqueness in the database is case-insensitive too.
pub fn normalize_email(raw: &str) -> String {
    raw.trim().to_lowercase()
}

/// A plausible address: `local@domain.tld`, no spaces or control characters.
pub fn email(raw: &str) -> Result<(), Invalid> {
    let email = raw.trim();
    if email.is_empty() {
        return Err(Invalid("email is required"));
    }
    if email.chars().count() > EMAIL_MAX_CHARS {
        return Err(Invalid("email is too long"));
    }
    if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Invalid("email must not contain spaces"));
    }
    match email.split_once('@') {
        Some((local, domain))
            if !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.') =>
        {
            Ok(())
        }
        _ => Err(Invalid("email must look like name@example.org")),
    }
}

/// What a login may present as its email, checked before any work is done for it: not
/// blank, at most 254 characters, no control characters (NUL included). Looser than
/// [`email`]: any other mistake simply matches no account.
pub fn login_email(raw: &str) -> Result<(), Invalid> {
    let email = raw.trim();
    if email.is_empty() {
        return Err(Invalid("email is required"));
    }
    if email.chars().count() > EMAIL_MAX_CHARS {
        return Err(Invalid("email is too long"));
    }
    if email.chars().any(char::is_control) {
        return Err(Invalid("email must not contain control characters"));
    }
    Ok(())
}

/// What a login may present as its password: not empty, at most 1,024 bytes.
pub fn login_password(raw: &str) -> Result<(), Invalid> {
    if raw.is_empty() {
        return Err(Invalid("password is required"));
    }
    if raw.len() > LOGIN_PASSWORD_MAX_BYTES {
        return Err(Invalid("password is too long"));
    }
    Ok(())
}

/// Length is what makes a password strong; no composition rules (NIST SP 800-63B).
pub fn password(raw: &str) -> Result<(), Invalid> {
    let chars = raw.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        return Err(Invalid("password must be at least 10 characters"));
    }
    if chars > PASSWORD_MAX_CHARS {
        return Err(Invalid("password must be at most 256 characters"));
    }
    Ok(())
}

/// A display name: not blank, no control characters, at most 100 characters.
pub fn name(raw: &str) -> Result<(), Invalid> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(Invalid("name is required"));
    }
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(Invalid("name must be at most 100 characters"));
    }
    if name.chars().any(char::is_control) {
        return Err(Invalid("name must not contain control characters"));
    }
    Ok(())
}

pub const SESSION_NAME_MAX_CHARS: usize = 40;

/// A session's name: trimmed, at most 40 characters, no control characters; blank means
/// no name (`None`).
pub fn session_name(raw: &str) -> Result<Option<&str>, Invalid> {
    let name = raw.trim();
    if name.is_empty() {
        return Ok(None);
    }
    if name.chars().count() > SESSION_NAME_MAX_CHARS {
        return Err(Invalid("a session name must be at most 40 characters"));
    }
    if name.chars().any(char::is_control) {
        return Err(Invalid(
            "a session name must not contain control characters",
        ));
    }
    Ok(Some(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_refuse_hostile_input_before_any_work() {
        assert!(login_email("Pupil@School.org ").is_ok());
        assert!(login_email("").is_err());
        assert!(login_email("a\0b@x.org").is_err());
        assert!(login_email("a\nb@x.org").is_err());
        assert!(login_email(&"a".repeat(255)).is_err());
        assert!(login_email(&"a".repeat(254)).is_ok());
        assert!(login_password(&"p".repeat(1024)).is_ok());
        assert!(
            login_password(&"é".repeat(513)).is_err(),
            "bytes, not characters"
        );
        assert!(login_password("").is_err());
    }

    #[test]
    fn emails() {
        assert!(email("ada@example.org").is_ok());
        assert!(email("  Ada.Lovelace+x@school.example.org ").is_ok());
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.org",
            "a@b",
            "a@@b.c",
            "a b@c.d",
            "a@.c",
            "a@c.",
        ] {
            assert!(email(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(email(&format!("{}@example.org", "a".repeat(250))).is_err());
    }

    #[test]
    fn normalized_emails_compare_case_insensitively() {
        assert_eq!(normalize_email(" Ada@Example.ORG "), "ada@example.org");
    }

    #[test]
    fn passwords() {
        assert!(password("correct horse").is_ok());
        assert!(password("short").is_err());
        assert!(password(&"x".repeat(257)).is_err());
        assert!(
            password(&"é".repeat(10)).is_ok(),
            "counted in characters, not bytes"
        );
    }

    #[test]
    fn names() {
        assert!(name("Ada Lovelace").is_ok());
        assert!(name("   ").is_err());
        assert!(name("a\u{0}b").is_err());
        assert!(name(&"n".repeat(101)).is_err());
    }

    #[test]
    fn session_names_are_short_printable_or_absent() {
        assert_eq!(session_name("  School laptop "), Ok(Some("School laptop")));
        assert_eq!(session_name("   "), Ok(None));
        assert_eq!(
            session_name(&"é".repeat(40)),
            Ok(Some("é".repeat(40).as_str()))
        );
        assert!(session_name(&"é".repeat(41)).is_err());
        assert!(session_name("tab\there").is_err());
        assert!(session_name("nul\0").is_err());
    }
}
