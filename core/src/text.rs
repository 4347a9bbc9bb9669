//! What people type, held to Unicode's rules before it is stored, on top of the shared
//! field rules (`hallpass_shared::validate`): no *format* characters (general category
//! `Cf`: zero-width spaces and joiners, bidirectional overrides and isolates), which show
//! nothing or reorder what is shown, so `al\u{200B}ice@…` would pass for `alice@…` and a
//! session named with `\u{202E}` would read backwards; names in NFKC, one spelling for
//! what looks the same; and an email's local part in one script, so a Cyrillic `а` among
//! Latin letters cannot pose as another account.

use hallpass_shared::validate::{self, Invalid};
use unicode_normalization::UnicodeNormalization as _;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory as _};
use unicode_script::{Script, UnicodeScript as _};

/// A new account's or a changed email: the shared rules, no format character, and a
/// local part in one script.
pub fn email(raw: &str) -> Result<(), Invalid> {
    validate::email(raw)?;
    if has_format_character(raw) {
        return Err(Invalid("email must not contain invisible characters"));
    }
    let local = raw.trim().split('@').next().unwrap_or_default();
    if scripts_of(local).len() > 1 {
        return Err(Invalid(
            "email must not mix alphabets (such as Latin and Cyrillic) before the @",
        ));
    }
    Ok(())
}

/// A person's name as stored: no format character, NFKC, trimmed, then the shared rules.
pub fn name(raw: &str) -> Result<String, Invalid> {
    if has_format_character(raw) {
        return Err(Invalid("name must not contain invisible characters"));
    }
    let name: String = raw.nfkc().collect();
    validate::name(&name)?;
    Ok(name.trim().to_owned())
}

/// A session's name as stored (`None`: no name): no format character, NFKC, then the
/// shared rules.
pub fn session_name(raw: &str) -> Result<Option<String>, Invalid> {
    if has_format_character(raw) {
        return Err(Invalid(
            "a session name must not contain invisible characters",
        ));
    }
    let name: String = raw.nfkc().collect();
    Ok(validate::session_name(&name)?.map(str::to_owned))
}

fn has_format_character(text: &str) -> bool {
    text.chars()
        .any(|c| c.general_category() == GeneralCategory::Format)
}

/// The scripts of `text`'s characters, leaving out those every script shares (digits,
/// punctuation: `Common`) and marks that take their base's (`Inherited`).
fn scripts_of(text: &str) -> Vec<Script> {
    let mut scripts: Vec<Script> = text
        .chars()
        .map(|c| c.script())
        .filter(|script| !matches!(script, Script::Common | Script::Inherited))
        .collect();
    scripts.sort_by_key(|script| script.full_name());
    scripts.dedup();
    scripts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_and_reordering_characters_are_refused() {
        for sneaky in [
            "al\u{200B}ice@school.example",
            "alice\u{2060}@school.example",
            "alice@school\u{200D}.example",
        ] {
            assert!(email(sneaky).is_err(), "{sneaky:?}");
        }
        assert!(name("Eve\u{202E}lla").is_err());
        assert!(name("\u{2066}Ada\u{2069}").is_err());
        assert!(session_name("Laptop \u{202E}").is_err());
        assert!(session_name("\u{FEFF}").is_err());
    }

    #[test]
    fn a_local_part_mixing_scripts_is_refused() {
        assert!(email("alice@school.example").is_ok());
        assert!(email("\u{0430}lice@school.example").is_err(), "Cyrillic а");
        assert!(email("алиса@school.example").is_ok(), "all Cyrillic");
        assert!(
            email("ada.lovelace-1815@school.example").is_ok(),
            "digits and dots"
        );
        assert!(email("δx@school.example").is_err());
    }

    #[test]
    fn names_are_stored_in_nfkc() {
        assert_eq!(name("  Ａｄａ ").unwrap(), "Ada", "full-width letters");
        assert_eq!(name("Zoe\u{0301}").unwrap(), "Zoé", "composed");
        assert_eq!(name("ﬁona").unwrap(), "fiona", "ligature");
        assert_eq!(
            session_name("Ｌａｐｔｏｐ").unwrap().as_deref(),
            Some("Laptop")
        );
        assert_eq!(session_name("  ").unwrap(), None);
        assert_eq!(name("Renée O'Brien").unwrap(), "Renée O'Brien");
    }
}
