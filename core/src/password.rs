//! Argon2id password hashing, always on a blocking thread: one hash costs tens of
//! milliseconds of CPU that must not stall the async workers.

use std::sync::LazyLock;

use anyhow::Context as _;
use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};
use secrecy::{ExposeSecret, SecretString};

/// Hashes with argon2id at the crate's defaults (OWASP: m=19 MiB, t=2, p=1).
pub async fn hash(password: SecretString) -> anyhow::Result<String> {
    blocking(move || hash_now(password.expose_secret())).await?
}

/// `true` when `password` matches `phc`. With `phc = None` (unknown account) a dummy hash
/// is verified instead, so both answers take the same time.
pub async fn verify(phc: Option<String>, password: SecretString) -> anyhow::Result<bool> {
    blocking(move || {
        let phc = phc.as_deref().unwrap_or(DUMMY_HASH.as_str());
        let parsed = PasswordHash::new(phc).context("stored password hash is not a PHC string")?;
        let matched = Argon2::default()
            .verify_password(password.expose_secret().as_bytes(), &parsed)
            .is_ok();
        Ok(matched)
    })
    .await?
}

fn hash_now(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| anyhow::anyhow!("hashing password: {error}"))
}

/// A hash of a random password nobody knows, for timing-equal answers on unknown emails.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let mut random = [0u8; 16];
    // A failed RNG leaves zeros: still a password no one types, and only a decoy.
    let _ = getrandom::fill(&mut random);
    hash_now(&hex::encode(random)).unwrap_or_default()
});

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> anyhow::Result<T> {
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || span.in_scope(work))
        .await
        .context("password hashing task failed")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let phc = hash("correct horse".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(
            verify(Some(phc.clone()), "correct horse".into())
                .await
                .unwrap()
        );
        assert!(!verify(Some(phc), "wrong horse".into()).await.unwrap());
    }

    #[tokio::test]
    async fn unknown_accounts_never_verify() {
        assert!(!verify(None, "".into()).await.unwrap());
        assert!(!verify(None, "anything at all".into()).await.unwrap());
    }

    #[tokio::test]
    async fn corrupt_hashes_are_errors_not_matches() {
        assert!(verify(Some("nonsense".into()), "x".into()).await.is_err());
    }
}
