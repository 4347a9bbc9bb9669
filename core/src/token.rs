//! Session tokens: 256 random bits from the OS, shown to nobody but the cookie.
//! The database and the cache only ever see [`TokenHash`], its SHA-256.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

const TOKEN_BYTES: usize = 32;

/// What a bearer token starts with, so that secret scanners can find a leaked one.
pub const BEARER_PREFIX: &str = "hp_";

/// The bearer secret. No `Debug`, `Display` or `Serialize`: it cannot end up in a log
/// line or a JSON body by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken([u8; TOKEN_BYTES]);

impl SessionToken {
    /// A fresh token from the operating system's CSPRNG.
    pub fn generate() -> anyhow::Result<Self> {
        let mut bytes = [0u8; TOKEN_BYTES];
        getrandom::fill(&mut bytes).map_err(|error| anyhow::anyhow!("OS RNG failed: {error}"))?;
        Ok(Self(bytes))
    }

    /// Reads the cookie form; `None` for anything that is not exactly 32 encoded bytes.
    pub fn decode(encoded: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(encoded).ok()?;
        Some(Self(bytes.try_into().ok()?))
    }

    /// The cookie form (unpadded base64url).
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    /// The bearer form: `hp_` and the cookie form.
    pub fn to_bearer(&self) -> String {
        [BEARER_PREFIX, &self.encode()].concat()
    }

    /// Reads the bearer form; `None` for anything else.
    pub fn from_bearer(bearer: &str) -> Option<Self> {
        Self::decode(bearer.strip_prefix(BEARER_PREFIX)?)
    }

    pub fn hash(&self) -> TokenHash {
        TokenHash(Sha256::digest(self.0).into())
    }
}

/// SHA-256 of a token: the database key (`user_sessions.token_hash`) and the cache key.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenHash([u8; 32]);

impl TokenHash {
    /// Lower-case hex, as stored.
    pub fn hex(&self) -> String {
        let mut text = [0u8; 64];
        // 64 bytes hold the 32 bytes' hex, which is ASCII: neither call can fail.
        let _ = hex::encode_to_slice(self.0, &mut text);
        String::from_utf8_lossy(&text).into_owned()
    }

    /// The hash a stored lower-case hex hash names; `None` unless it is 64 hex digits.
    pub fn from_hex(stored: &str) -> Option<Self> {
        let mut decoded = [0u8; 32];
        hex::decode_to_slice(stored, &mut decoded).ok()?;
        Some(Self(decoded))
    }

    /// Constant-time check that a looked-up hash is this one, so that confirming a
    /// looked-up record leaks nothing through timing.
    pub fn matches(&self, other: &TokenHash) -> bool {
        bool::from(self.0.ct_eq(&other.0))
    }
}

impl std::fmt::Debug for TokenHash {
    /// Five hex characters are enough to correlate log lines and useless to an attacker.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TokenHash({}…)", &self.hex()[..5])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_round_trip() {
        let a = SessionToken::generate().unwrap();
        let b = SessionToken::generate().unwrap();
        assert!(a != b);
        let encoded = a.encode();
        assert_eq!(encoded.len(), 43);
        assert!(SessionToken::decode(&encoded) == Some(a));
    }

    #[test]
    fn bearer_tokens_carry_their_prefix_and_nothing_else_reads_as_one() {
        let token = SessionToken::generate().unwrap();
        let bearer = token.to_bearer();
        assert!(bearer.starts_with("hp_"));
        assert_eq!(bearer.len(), 46);
        assert!(SessionToken::from_bearer(&bearer) == Some(token.clone()));
        assert!(SessionToken::from_bearer(&token.encode()).is_none());
        assert!(SessionToken::from_bearer("hp_").is_none());
    }

    #[test]
    fn malformed_tokens_are_refused() {
        assert!(SessionToken::decode("").is_none());
        assert!(SessionToken::decode("not base64 !").is_none());
        assert!(SessionToken::decode(&URL_SAFE_NO_PAD.encode([1u8; 31])).is_none());
        assert!(SessionToken::decode(&URL_SAFE_NO_PAD.encode([1u8; 33])).is_none());
    }

    #[test]
    fn hash_is_sha256_in_hex_and_compares_exactly() {
        let token = SessionToken([0u8; 32]);
        let hash = token.hash();
        assert_eq!(
            hash.hex(),
            "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925"
        );
        assert!(hash.matches(&token.hash()));
        assert!(!hash.matches(&SessionToken([1u8; 32]).hash()));
        assert_eq!(TokenHash::from_hex(&hash.hex()), Some(hash));
        assert_eq!(TokenHash::from_hex("zz"), None);
        assert_eq!(TokenHash::from_hex(&hash.hex()[..62]), None);
        assert_eq!(format!("{hash:?}"), "TokenHash(66687…)");
    }
}
