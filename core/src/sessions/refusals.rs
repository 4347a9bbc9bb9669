//! How often a refused cookie is written to the audit trail: once per token per minute.
//! A client replaying a dead cookie (a tab left open, a script, an attacker) is counted in
//! the metrics on every request, but can no longer grow the append-only audit table
//! without bound.

use std::time::Duration;

use moka::sync::Cache;

use crate::token::TokenHash;

/// One audited refusal per token within this window.
const WINDOW: Duration = Duration::from_secs(60);
/// Tokens remembered at once; beyond it the oldest are forgotten (and may be audited
/// again sooner).
const CAPACITY: u64 = 100_000;

/// The tokens whose refusal was audited within the last minute, on this instance.
pub struct RecentRefusals(Cache<TokenHash, ()>);

impl Default for RecentRefusals {
    fn default() -> Self {
        Self(
            Cache::builder()
                .max_capacity(CAPACITY)
                .time_to_live(WINDOW)
                .build(),
        )
    }
}

impl RecentRefusals {
    /// Whether this refusal of `hash` is the first in its window (and so is audited).
    pub fn first_in_window(&self, hash: TokenHash) -> bool {
        self.0.entry(hash).or_insert(()).is_fresh()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::SessionToken;

    #[test]
    fn each_token_is_audited_once_per_window() {
        let recent = RecentRefusals::default();
        let (a, b) = (
            SessionToken::generate().unwrap().hash(),
            SessionToken::generate().unwrap().hash(),
        );
        assert!(recent.first_in_window(a));
        assert!(!recent.first_in_window(a));
        assert!(recent.first_in_window(b));
        assert!(!recent.first_in_window(b));
    }
}
