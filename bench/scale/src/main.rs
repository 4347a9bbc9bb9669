//! Mints session cookies for bench/scale.sh, which writes a district's sessions straight
//! into PostgreSQL (logging a million sessions in through argon2 would take hours).
//!
//! Reads user ids, one per line, on standard input; for each, mints a session claim
//! with a fresh token, as a login would, and prints `token_hash,user_id,cookie` (the
//! cookie's value, sealed with the configured `SESSION_SECRET`). The benchmark inserts
//! a session row per line, so each cookie opens a session the server has on record.
//!
//! Usage: `SESSION_SECRET=… hallpass-bench-scale < user-ids > sessions.csv`.

use std::io::{BufRead as _, BufWriter, Write as _};

use chrono::{TimeDelta, Utc};
use clap::Parser;
use hallpass_server::{
    auth::{cookie::SessionCookies, cookie_keys::CookieKeys, stable_secret::StableSecret},
    config::{Settings, SettingsArgs},
    domain::SessionClaim,
};
use hallpass_shared::UserId;

/// The server's own settings (SESSION_SECRET, SESSION_TTL, the cookie's name).
#[derive(Parser)]
struct Args {
    #[command(flatten)]
    settings: SettingsArgs,
}

fn main() -> anyhow::Result<()> {
    let settings = Settings::from_args(Args::parse().settings)?;
    // Only session cookies are minted here: the device cookies' key is never used.
    let cookies = SessionCookies::new(
        CookieKeys::from_secrets(&settings.session_secrets)?,
        &StableSecret::generate()?,
        &settings,
    );
    let lifetime = TimeDelta::from_std(settings.session_ttl)?;
    let now = Utc::now();
    let mut out = BufWriter::new(std::io::stdout().lock());
    for line in std::io::stdin().lock().lines() {
        let user_id: UserId = line?.trim().parse()?;
        let claim = SessionClaim::mint(user_id, now, lifetime)?;
        let cookie = cookies
            .sealed(&claim, now)
            .map_err(|error| anyhow::anyhow!("{error}"))?;
        writeln!(
            out,
            "{},{},{}",
            claim.token.hash().hex(),
            user_id.0,
            cookie.value()
        )?;
    }
    out.flush()?;
    Ok(())
}
