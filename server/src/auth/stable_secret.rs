//! The deployment's stable secret: 32 random bytes made once, kept in the database
//! sealed with the newest cookie key (so a database backup alone reveals nothing), and
//! resealed whenever the keys rotate. What must survive a rotation derives its key from
//! it rather than from the cookie keys: the login throttle's hashes (a rotation must not
//! reset every lockout), the device cookies (nor forget every device), and the tags of
//! shared-cache entries (nor have instances of one deployment refuse each other's
//! entries while a rotation rolls out).

use sha2::{Digest as _, Sha256};

use super::cookie_keys::{CookieKeys, Opener};

/// The name the secret is sealed under (the AEAD's associated data).
const SEALED_AS: &str = "hallpass stable secret";

/// What a derived key is for; each purpose gets an unrelated key.
#[derive(Debug, Clone, Copy)]
pub enum Purpose {
    /// The keyed hashes of emails and addresses in the login throttle's counters.
    ThrottleHashes,
    /// The AEAD key of device cookies.
    DeviceCookies,
    /// The HMAC key of shared-cache entries.
    CacheEntries,
}

impl Purpose {
    fn label(self) -> &'static str {
        match self {
            Self::ThrottleHashes => "login throttle account hashes",
            Self::DeviceCookies => "device cookies",
            Self::CacheEntries => "session cache entries",
        }
    }
}

pub struct StableSecret([u8; 32]);

impl StableSecret {
    /// A new random secret, for a deployment's first start.
    pub fn generate() -> anyhow::Result<Self> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|error| anyhow::anyhow!("OS RNG failed: {error}"))?;
        Ok(Self(bytes))
    }

    /// The key for `purpose`: SHA-256 over a label, the purpose and the secret.
    pub fn derive(&self, purpose: Purpose) -> [u8; 32] {
        let mut digest = Sha256::new();
        digest.update(b"hallpass stable key v1\0");
        digest.update(purpose.label().as_bytes());
        digest.update(b"\0");
        digest.update(self.0);
        digest.finalize().into()
    }

    /// Sealed with the newest cookie key, for the database.
    pub fn seal(&self, keys: &CookieKeys) -> anyhow::Result<Vec<u8>> {
        Ok(keys.seal(SEALED_AS, &hex::encode(self.0))?.into_bytes())
    }

    /// The secret `sealed` holds and the key that opened it, if a configured key does.
    pub fn open(keys: &CookieKeys, sealed: &[u8]) -> Option<(Self, Opener)> {
        let (plain, opener) = keys.open(SEALED_AS, std::str::from_utf8(sealed).ok()?)?;
        let bytes = hex::decode(plain).ok()?.try_into().ok()?;
        Some((Self(bytes), opener))
    }
}

#[cfg(test)]
mod tests {
    use secrecy::SecretString;

    use super::*;

    fn keys(secrets: &[&str]) -> CookieKeys {
        let secrets: Vec<SecretString> = secrets.iter().map(|s| (*s).to_owned().into()).collect();
        CookieKeys::from_secrets(&secrets).unwrap()
    }

    const OLD: &str = "old-key-old-key-old-key-old-key-old-key";
    const NEW: &str = "new-key-new-key-new-key-new-key-new-key";

    #[test]
    fn the_secret_survives_a_rotation_and_its_keys_with_it() {
        let secret = StableSecret::generate().unwrap();
        let sealed = secret.seal(&keys(&[OLD])).unwrap();
        let rotated = keys(&[NEW, OLD]);
        let (opened, opener) = StableSecret::open(&rotated, &sealed).unwrap();
        assert_eq!(opener, Opener::Older);
        let resealed = opened.seal(&rotated).unwrap();
        let (after, opener) = StableSecret::open(&keys(&[NEW]), &resealed).unwrap();
        assert_eq!(opener, Opener::Newest);
        for purpose in [
            Purpose::ThrottleHashes,
            Purpose::DeviceCookies,
            Purpose::CacheEntries,
        ] {
            assert_eq!(after.derive(purpose), secret.derive(purpose));
        }
        assert!(StableSecret::open(&keys(&[NEW]), &sealed).is_none());
        assert!(
            !String::from_utf8(sealed)
                .unwrap()
                .contains(&hex::encode(secret.0))
        );
    }

    #[test]
    fn each_purpose_has_its_own_key() {
        let secret = StableSecret::generate().unwrap();
        let throttle = secret.derive(Purpose::ThrottleHashes);
        assert_ne!(throttle, secret.derive(Purpose::DeviceCookies));
        assert_ne!(throttle, secret.derive(Purpose::CacheEntries));
        assert_ne!(
            throttle,
            StableSecret::generate()
                .unwrap()
                .derive(Purpose::ThrottleHashes)
        );
    }
}
