//! The keys that seal session cookies: AES-256-GCM over the cookie's value with its name
//! as associated data, written as base64 of nonce ‖ ciphertext ‖ tag (the format of the
//! `cookie` crate's private jar, which sealed the cookies of earlier versions). Each
//! key's cipher is built once, not per request: this runs on every request.
//!
//! They come from `SESSION_SECRET` (or `SESSION_SECRET_FILE`), never from the database:
//! whoever holds a key can mint cookies, and a database backup must not be enough to
//! sign in. The newest key seals, every configured key opens, so an operator rotates by
//! putting a new key first and dropping the old one a `SESSION_TTL` later. The database
//! keeps only a fingerprint of the newest key, so that an instance configured with
//! unrelated keys refuses to start instead of refusing the other instances' cookies
//! (start-up compares them, see `startup::load_keys`).

use std::{io::Write as _, path::Path};

use actix_web::cookie::Key;
use aes_gcm::{
    Aes256Gcm, KeyInit as _, Nonce, Tag,
    aead::{AeadInPlace as _, generic_array::GenericArray},
};
use anyhow::Context as _;
use base64::{Engine as _, engine::general_purpose::STANDARD};
use secrecy::{ExposeSecret as _, SecretString};
use sha2::{Digest as _, Sha256};

use crate::config;

/// Which key opened a cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opener {
    /// The newest key: the cookie needs nothing.
    Newest,
    /// An older configured key: the cookie is resealed with the newest.
    Older,
    /// The key an earlier version kept in the database. It opens cookies of sessions
    /// that are recorded, never a claim that could get a record made (see
    /// [`SessionClaim::lifetime`](crate::domain::SessionClaim::lifetime)).
    Retired,
}

const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// A key and its cipher.
struct SealingKey {
    /// The derived key (encryption and signing halves); other secrets derive from it.
    key: Key,
    cipher: Aes256Gcm,
}

impl SealingKey {
    fn new(key: Key) -> Self {
        let cipher = Aes256Gcm::new(GenericArray::from_slice(key.encryption()));
        Self { key, cipher }
    }

    /// `plain` sealed under `name`: base64 of nonce ‖ ciphertext ‖ tag.
    fn seal(&self, name: &str, plain: &str) -> anyhow::Result<String> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|error| anyhow::anyhow!("OS RNG failed: {error}"))?;
        let mut sealed = Vec::with_capacity(NONCE_LEN + plain.len() + TAG_LEN);
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(plain.as_bytes());
        let tag = self
            .cipher
            .encrypt_in_place_detached(
                Nonce::from_slice(&nonce),
                name.as_bytes(),
                &mut sealed[NONCE_LEN..],
            )
            .map_err(|_| anyhow::anyhow!("a cookie value too long to seal"))?;
        sealed.extend_from_slice(&tag);
        Ok(STANDARD.encode(sealed))
    }

    /// The plain value of `sealed` (decoded from base64), if this key sealed it under `name`.
    fn open(&self, name: &str, sealed: &[u8]) -> Option<String> {
        let (nonce, rest) = sealed.split_at_checked(NONCE_LEN)?;
        let (ciphertext, tag) = rest.split_at_checked(rest.len().checked_sub(TAG_LEN)?)?;
        let mut plain = ciphertext.to_vec();
        self.cipher
            .decrypt_in_place_detached(
                Nonce::from_slice(nonce),
                name.as_bytes(),
                &mut plain,
                Tag::from_slice(tag),
            )
            .ok()?;
        String::from_utf8(plain).ok()
    }
}

pub struct CookieKeys {
    /// Newest first; never empty.
    configured: Vec<SealingKey>,
    retired: Option<SealingKey>,
}

impl CookieKeys {
    /// The keys derived from the configured secrets, newest first.
    pub fn from_secrets(secrets: &[SecretString]) -> anyhow::Result<Self> {
        anyhow::ensure!(
            !secrets.is_empty(),
            "SESSION_SECRET (or SESSION_SECRET_FILE) is required: at least 32 random bytes, \
             e.g. `openssl rand -base64 48`; for local development run `hallpass serve --dev`"
        );
        let configured = secrets
            .iter()
            .map(|secret| SealingKey::new(Key::derive_from(secret.expose_secret().as_bytes())))
            .collect();
        Ok(Self {
            configured,
            retired: None,
        })
    }

    /// One key, derived from `secret`, that seals and opens (the device cookies').
    pub fn from_key(secret: &[u8; 32]) -> Self {
        Self {
            configured: vec![SealingKey::new(Key::derive_from(secret))],
            retired: None,
        }
    }

    /// The configured keys' fingerprints, newest first: what the database records of
    /// them (see `db::keys`), never the keys.
    pub fn fingerprints(&self) -> Vec<Vec<u8>> {
        self.configured
            .iter()
            .map(|sealing| fingerprint(&sealing.key))
            .collect()
    }

    /// These keys, and the key an earlier version kept in the database while cookies it
    /// sealed can still be valid (`None` once it is gone).
    pub fn with_retired(mut self, retired: Option<Vec<u8>>) -> anyhow::Result<Self> {
        if let Some(retired) = retired {
            tracing::warn!(
                "the cookie key an earlier version kept in the database still opens the \
                 cookies it sealed (only for recorded sessions, which are resealed with \
                 SESSION_SECRET); it is deleted one SESSION_TTL after the upgrade"
            );
            let key = Key::try_from(retired.as_slice()).context("retired key")?;
            self.retired = Some(SealingKey::new(key));
        }
        Ok(self)
    }

    /// `plain`, the value of the cookie `name`, sealed with the newest key.
    pub fn seal(&self, name: &str, plain: &str) -> anyhow::Result<String> {
        self.configured[0].seal(name, plain)
    }

    /// The plain value of the cookie `name` sealed as `sealed`, and the key that opened
    /// it, or `None` if no configured key does. The retired key never opens anything
    /// here: see [`CookieKeys::open_session_cookie`].
    pub fn open(&self, name: &str, sealed: &str) -> Option<(String, Opener)> {
        let sealed = STANDARD.decode(sealed).ok()?;
        self.configured.iter().enumerate().find_map(|(i, key)| {
            let opener = if i == 0 {
                Opener::Newest
            } else {
                Opener::Older
            };
            Some((key.open(name, &sealed)?, opener))
        })
    }

    /// [`CookieKeys::open`], and then the retired key: for session cookies only, whose
    /// claims the caller honours only for recorded sessions. Nothing else an earlier
    /// version sealed with that key (device cookies) may still open.
    pub fn open_session_cookie(&self, name: &str, sealed: &str) -> Option<(String, Opener)> {
        self.open(name, sealed).or_else(|| {
            let retired = self.retired.as_ref()?;
            let plain = retired.open(name, &STANDARD.decode(sealed).ok()?)?;
            Some((plain, Opener::Retired))
        })
    }
}

/// A key's fingerprint: SHA-256 over a label and the key. Tells keys apart, reveals
/// nothing of them.
fn fingerprint(key: &Key) -> Vec<u8> {
    let mut digest = Sha256::new();
    digest.update(b"hallpass cookie key fingerprint v1\0");
    digest.update(key.master());
    digest.finalize().to_vec()
}

/// The development key file of `hallpass serve --dev`: read when it exists, otherwise
/// created (mode 0600) with a fresh random key. Never for production: the key sits in a
/// plain file beside the code.
pub fn development_secret(path: &Path) -> anyhow::Result<Vec<SecretString>> {
    if !path.exists() {
        let mut bytes = [0u8; 48];
        getrandom::fill(&mut bytes).map_err(|error| anyhow::anyhow!("OS RNG failed: {error}"))?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        write_private(path, &format!("{}\n", STANDARD.encode(bytes)))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let keys = config::read_secret_file(path)?;
    Ok(keys.into_iter().map(SecretString::from).collect())
}

/// Creates `path` readable and writable by its owner only.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use actix_web::cookie::{Cookie, CookieJar};

    use super::*;

    fn keys(secrets: &[&str]) -> CookieKeys {
        let secrets: Vec<SecretString> = secrets.iter().map(|s| (*s).to_owned().into()).collect();
        CookieKeys::from_secrets(&secrets).unwrap()
    }

    const OLD: &str = "old-key-old-key-old-key-old-key-old-key";
    const NEW: &str = "new-key-new-key-new-key-new-key-new-key";

    #[test]
    fn the_newest_key_seals_and_every_key_opens() {
        let before = keys(&[OLD]);
        let sealed_before = before.seal("c", "claim").unwrap();
        assert!(!sealed_before.contains("claim"));

        let rotated = keys(&[NEW, OLD]);
        let opened = rotated.open("c", &sealed_before).unwrap();
        assert_eq!(opened, ("claim".to_owned(), Opener::Older));
        let sealed_after = rotated.seal("c", "claim").unwrap();
        assert_eq!(rotated.open("c", &sealed_after).unwrap().1, Opener::Newest);

        assert!(before.open("c", &sealed_after).is_none(), "unknown key");
        assert!(
            keys(&[NEW]).open("c", &sealed_before).is_none(),
            "dropped key"
        );
    }

    #[test]
    fn a_cookie_is_bound_to_its_name_and_its_every_byte() {
        let keys = keys(&[NEW]);
        let sealed = keys.seal("c", "claim").unwrap();
        assert!(keys.open("other", &sealed).is_none());
        let bytes = STANDARD.decode(&sealed).unwrap();
        for i in 0..bytes.len() {
            let mut tampered = bytes.clone();
            tampered[i] ^= 1;
            let tampered = STANDARD.encode(&tampered);
            assert!(keys.open("c", &tampered).is_none(), "byte {i}");
        }
        assert!(keys.open("c", "not base64!").is_none());
        assert!(
            keys.open("c", &STANDARD.encode([0u8; 20])).is_none(),
            "too short"
        );
        assert!(keys.open("c", "").is_none());
    }

    #[test]
    fn cookies_the_private_jar_sealed_are_opened_and_the_jar_opens_ours() {
        let keys = keys(&[NEW]);
        let mut jar = CookieJar::new();
        jar.private_mut(&keys.configured[0].key)
            .add(Cookie::new("c", "claim"));
        let sealed = jar.get("c").unwrap().value().to_owned();
        assert_eq!(keys.open("c", &sealed).unwrap().0, "claim");

        let ours = Cookie::new("c", keys.seal("c", "claim").unwrap());
        let opened = CookieJar::new()
            .private(&keys.configured[0].key)
            .decrypt(ours);
        assert_eq!(opened.unwrap().value(), "claim");
    }

    #[test]
    fn the_retired_key_opens_session_cookies_only() {
        let retired = Key::generate();
        let keys = keys(&[NEW])
            .with_retired(Some(retired.master().to_vec()))
            .unwrap();
        let mut jar = CookieJar::new();
        jar.private_mut(&retired).add(Cookie::new("c", "claim"));
        let sealed = jar.get("c").unwrap().value().to_owned();
        assert_eq!(
            keys.open_session_cookie("c", &sealed),
            Some(("claim".to_owned(), Opener::Retired))
        );
        assert_eq!(
            keys.open("c", &sealed),
            None,
            "nothing else it sealed opens"
        );
    }

    #[test]
    fn fingerprints_tell_keys_apart() {
        let (old, new) = (keys(&[OLD]), keys(&[NEW]));
        assert_eq!(
            fingerprint(&old.configured[0].key),
            fingerprint(&keys(&[OLD]).configured[0].key)
        );
        assert_ne!(
            fingerprint(&old.configured[0].key),
            fingerprint(&new.configured[0].key)
        );
        assert_eq!(fingerprint(&old.configured[0].key).len(), 32);
    }

    #[test]
    fn the_development_key_file_is_private_and_kept() {
        let path = std::env::temp_dir()
            .join(format!("hallpass-dev-{}", uuid::Uuid::new_v4()))
            .join("session-secret");
        let first = development_secret(&path).unwrap();
        let again = development_secret(&path).unwrap();
        assert_eq!(first[0].expose_secret(), again[0].expose_secret());
        assert!(first[0].expose_secret().len() >= 32);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }
}
