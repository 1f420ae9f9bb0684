//! Configuration: built-in defaults, then a TOML file, then `TANDEM_*`
//! environment variables, then command-line flags, each overriding the last.

use anyhow::{Context, bail};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::Path;

/// A database URL. Its password never appears when it is shown or logged.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn new(url: impl Into<String>) -> Self {
        Self(url.into())
    }

    /// The URL itself, for connecting only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn backend(&self) -> anyhow::Result<Backend> {
        let scheme = self.0.split_once(':').map(|(s, _)| s).unwrap_or_default();
        match scheme {
            "sqlite" => Ok(Backend::Sqlite),
            "postgres" | "postgresql" => Ok(Backend::Postgres),
            _ => bail!(
                "the database URL {self} has an unknown scheme; use sqlite://PATH or postgres://USER@HOST/DATABASE"
            ),
        }
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match url::Url::parse(&self.0) {
            Ok(mut url) if url.password().is_some() => {
                // Setting a password only fails for URLs that cannot carry one.
                let _ = url.set_password(Some("***"));
                f.write_str(url.as_str())
            }
            Ok(_) => f.write_str(&self.0),
            // Unparseable text may still hold a secret: show only its scheme.
            Err(_) => write!(
                f,
                "{}:(unparseable)",
                self.0.split_once(':').map(|(s, _)| s).unwrap_or("?")
            ),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The address and port to listen on.
    pub bind: String,
    /// Where the data lives: `sqlite://PATH` or `postgres://…`.
    pub database_url: DatabaseUrl,
    /// Which log lines to write, as a tracing filter.
    pub log: String,
    /// A session ends after this many minutes without a request.
    pub session_idle_minutes: i64,
    /// And in any case this many hours after signing in.
    pub session_absolute_hours: i64,
    /// Require an authenticator app of everyone, not only administrators.
    pub second_factor_for_everyone: bool,
    /// Mark the session cookie Secure: set when users reach Tandem over HTTPS.
    pub secure_cookies: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            database_url: DatabaseUrl::new("sqlite://tandem.db"),
            log: "info,sqlx=warn".into(),
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            second_factor_for_everyone: false,
            secure_cookies: false,
        }
    }
}

/// A commented configuration file with every setting at its default.
pub const EXAMPLE: &str = r#"# Tandem configuration.
# Every setting can also be given as an environment variable named TANDEM_
# and the setting in capitals (TANDEM_BIND, TANDEM_DATABASE_URL, TANDEM_LOG),
# which overrides this file; command-line flags override both.

# The address and port to listen on. Keep it on 127.0.0.1 behind a
# TLS-terminating reverse proxy in production.
bind = "127.0.0.1:8080"

# Where Tandem keeps its data. The scheme picks the database:
#   sqlite://PATH                          an embedded file, created if missing
#   postgres://USER:PASSWORD@HOST/DATABASE  a PostgreSQL server (the database must exist)
# The password is never printed or logged.
database_url = "sqlite://tandem.db"

# Which log lines to write: a level, or per-module levels.
log = "info,sqlx=warn"

# A signed-in session ends after this many minutes without a request...
session_idle_minutes = 30
# ...and in any case this many hours after signing in.
session_absolute_hours = 12

# Administrators always need an authenticator app. Set this to require one
# of everyone.
second_factor_for_everyone = false

# Mark the session cookie Secure. Set it when people reach Tandem over HTTPS
# (for example through a TLS-terminating proxy).
secure_cookies = false
"#;

/// Overrides given on the command line.
#[derive(Debug, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
}

pub fn load(file: Option<&Path>, overrides: &Overrides) -> anyhow::Result<Config> {
    let mut figment = Figment::from(Serialized::defaults(Config::default()));
    if let Some(file) = file {
        if !file.exists() {
            bail!("the configuration file {} does not exist", file.display());
        }
        figment = figment.merge(Toml::file(file));
    }
    let config: Config = figment
        .merge(Env::prefixed("TANDEM_").only(&[
            "bind",
            "database_url",
            "log",
            "session_idle_minutes",
            "session_absolute_hours",
            "second_factor_for_everyone",
            "secure_cookies",
        ]))
        .merge(Serialized::defaults(overrides))
        .extract()
        .context("the configuration is not valid")?;
    config.database_url.backend()?;
    if !(1..=24 * 60).contains(&config.session_idle_minutes) {
        bail!("session_idle_minutes must be between 1 and 1440");
    }
    if !(1..=7 * 24).contains(&config.session_absolute_hours) {
        bail!("session_absolute_hours must be between 1 and 168");
    }
    Ok(config)
}

impl Config {
    pub fn web(&self) -> tandem_web::WebConfig {
        tandem_web::WebConfig {
            session: tandem_domain::session::SessionTimeouts {
                idle: jiff::SignedDuration::from_mins(self.session_idle_minutes),
                absolute: jiff::SignedDuration::from_hours(self.session_absolute_hours),
            },
            throttle: Default::default(),
            second_factor_for_everyone: self.second_factor_for_everyone,
            secure_cookies: self.secure_cookies,
        }
    }
}

#[cfg(test)]
// figment's test jail returns its own large error type; that is its API, not ours.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;

    #[test]
    fn the_example_is_the_default() {
        let parsed: Config = toml_parse(EXAMPLE);
        assert_eq!(parsed, Config::default());
    }

    fn toml_parse(text: &str) -> Config {
        Figment::from(Toml::string(text))
            .extract()
            .expect("valid example")
    }

    #[test]
    fn passwords_are_redacted() {
        let url = DatabaseUrl::new("postgres://tandem:s3cret@db.internal:5432/tandem");
        assert_eq!(
            url.to_string(),
            "postgres://tandem:***@db.internal:5432/tandem"
        );
        assert!(!format!("{url:?}").contains("s3cret"));
        assert_eq!(
            DatabaseUrl::new("sqlite://tandem.db").to_string(),
            "sqlite://tandem.db"
        );
    }

    #[test]
    fn unknown_schemes_are_refused() {
        let error = DatabaseUrl::new("mysql://root:pw@localhost/db")
            .backend()
            .expect_err("unknown scheme");
        let text = error.to_string();
        assert!(text.contains("unknown scheme"), "{text}");
        assert!(!text.contains("pw@"), "{text}");
        assert_eq!(
            DatabaseUrl::new("postgresql://h/d").backend().ok(),
            Some(Backend::Postgres)
        );
    }

    #[test]
    fn files_environment_and_flags_layer_in_order() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("tandem.toml", "bind = \"0.0.0.0:9000\"\nlog = \"debug\"")?;
            jail.set_env("TANDEM_LOG", "warn");
            let config = load(
                Some(Path::new("tandem.toml")),
                &Overrides {
                    database_url: Some("postgres://u@h/d".into()),
                    ..Default::default()
                },
            )
            .map_err(|e| e.to_string())?;
            assert_eq!(config.bind, "0.0.0.0:9000");
            assert_eq!(config.log, "warn");
            assert_eq!(config.database_url.expose(), "postgres://u@h/d");
            Ok(())
        });
    }

    #[test]
    fn unknown_settings_are_refused() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("tandem.toml", "bnid = \"0.0.0.0:9000\"")?;
            let error =
                load(Some(Path::new("tandem.toml")), &Overrides::default()).expect_err("typo");
            assert!(format!("{error:#}").contains("bnid"));
            Ok(())
        });
    }
}
