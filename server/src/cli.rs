//! The `hallpass` command line: `serve`, `migrate`, `user add`, `sessions purge`, `demo`.

use std::io::BufRead as _;

use anyhow::Context as _;
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use clap::{Parser, Subcommand};
use hallpass_core::ports::Store as _;
use hallpass_shared::Role;
use secrecy::{ExposeSecret as _, SecretString};

use crate::{
    auth::cookie_keys,
    config::{Settings, SettingsArgs},
    db::{self, PgStore},
    domain::users::{self, NewAccount},
    jobs::purge,
    routes,
    startup::Application,
};

#[derive(Debug, Parser)]
#[command(
    name = "hallpass",
    version,
    about = "Login sessions for a school platform"
)]
pub struct Cli {
    #[command(flatten)]
    pub settings: SettingsArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (and the built SPA); migrates the database first.
    Serve {
        /// Development: without SESSION_SECRET, keep a generated cookie key in
        /// `.hallpass/session-secret` (mode 0600). Never in production.
        #[arg(long)]
        dev: bool,
    },
    /// Create the database if needed and apply pending migrations.
    Migrate,
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage sessions.
    #[command(subcommand)]
    Sessions(SessionsCommand),
    /// Create (or reset) one demo user per role and print their credentials.
    Demo,
    /// Print the OpenAPI document (regenerates docs/openapi.json).
    Openapi,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user; the password is read from the first line of standard input.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Required: passwords are never taken from the command line.
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum SessionsCommand {
    /// Delete sessions past their absolute lifetime, in batches.
    Purge,
}

/// Where `serve --dev` keeps its generated cookie key, relative to the working directory.
const DEV_SECRET_FILE: &str = ".hallpass/session-secret";

fn parse_role(raw: &str) -> Result<Role, String> {
    raw.parse()
        .map_err(|_| "role must be student, teacher or admin".to_owned())
}

pub async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    match command {
        Command::Serve { dev } => {
            let mut settings = settings;
            if dev && settings.session_secrets.is_empty() {
                settings.session_secrets =
                    cookie_keys::development_secret(DEV_SECRET_FILE.as_ref())?;
                tracing::warn!(
                    "DEVELOPMENT MODE: the cookie key is kept in {DEV_SECRET_FILE}; in \
                     production set SESSION_SECRET or SESSION_SECRET_FILE and drop --dev"
                );
            }
            Application::build(settings)
                .await?
                .run_until_stopped()
                .await?
        }
        Command::Migrate => {
            let url = settings.database_url.expose_secret();
            db::create_database_if_missing(url).await?;
            let applied = db::migrate(url).await?;
            println!("applied {applied} migration(s)");
        }
        Command::User(UserCommand::Add {
            email, name, role, ..
        }) => {
            let password = read_password_line()?;
            let store = store(&settings).await?;
            let mut conn = store.connect().await?;
            let user = users::create(
                &mut conn,
                NewAccount {
                    email,
                    name,
                    role,
                    password,
                },
            )
            .await?;
            println!("created {} {} ({})", user.role, user.email, user.id);
        }
        Command::Sessions(SessionsCommand::Purge) => {
            let pool = db::connect(
                settings.database_url.expose_secret(),
                1,
                settings.db_pool_timeout,
                settings.db_query_timeout,
            )
            .await?;
            let purged = purge::purge_expired(&pool, settings.audit_retention).await?;
            println!(
                "purged {} expired session(s), {} audit event(s) past AUDIT_RETENTION, {} cache \
                 row(s), {} login attempt counter(s) and {} device(s) unseen for 90 days",
                purged.sessions,
                purged.events,
                purged.cache_rows,
                purged.counter_rows,
                purged.known_devices
            );
        }
        Command::Demo => demo(&settings).await?,
        Command::Openapi => print!("{}", routes::openapi::document()),
    }
    Ok(())
}

/// One account per role with a fresh random password each run.
async fn demo(settings: &Settings) -> anyhow::Result<()> {
    let store = store(settings).await?;
    let mut conn = store.connect().await?;
    println!("Demo accounts (passwords are new on every run):");
    for role in Role::ALL {
        let email = format!("{role}@demo.hallpass.test");
        let password = random_password()?;
        let name = format!("Demo {}", capitalised(role.as_str()));
        let account = NewAccount {
            email: email.clone(),
            name,
            role,
            password: password.clone().into(),
        };
        users::create_or_reset(&mut conn, account).await?;
        println!("  {:<8} {email:<32} {password}", role.as_str());
    }
    Ok(())
}

/// The store of one connection, the database created and migrated first.
async fn store(settings: &Settings) -> anyhow::Result<PgStore> {
    let url = settings.database_url.expose_secret();
    db::create_database_if_missing(url).await?;
    db::migrate(url).await?;
    let pool = db::connect(url, 1, settings.db_pool_timeout, settings.db_query_timeout).await?;
    Ok(PgStore::new(pool))
}

fn read_password_line() -> anyhow::Result<SecretString> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from stdin")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    anyhow::ensure!(!password.is_empty(), "no password on standard input");
    Ok(password.into())
}

fn random_password() -> anyhow::Result<String> {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).map_err(|error| anyhow::anyhow!("OS RNG failed: {error}"))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    use super::*;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }

    #[test]
    fn user_add_requires_password_stdin_and_a_known_role() {
        let parse = |args: &[&str]| Cli::try_parse_from(args).map(|cli| cli.command);
        assert!(
            parse(&[
                "hallpass", "user", "add", "--email", "a@b.co", "--name", "A", "--role", "admin"
            ])
            .is_err()
        );
        assert!(
            parse(&[
                "hallpass",
                "user",
                "add",
                "--email",
                "a@b.co",
                "--name",
                "A",
                "--role",
                "janitor",
                "--password-stdin"
            ])
            .is_err()
        );
        assert!(matches!(
            parse(&[
                "hallpass",
                "user",
                "add",
                "--email",
                "a@b.co",
                "--name",
                "A",
                "--role",
                "teacher",
                "--password-stdin"
            ]),
            Ok(Command::User(UserCommand::Add {
                role: Role::Teacher,
                ..
            }))
        ));
    }
}
