//! Configuration: defaults, then the config file, then `BRIDGEHEAD_…` environment
//! variables, then command-line flags — parsed once into [`Settings`] and passed down.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;

/// A value that never prints itself (database URLs may carry passwords).
#[derive(Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Self(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// The config file's shape; every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSettings {
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<Secret>,
    pub listen: Option<String>,
    pub secure_cookies: Option<bool>,
    pub trust_forwarded_for: Option<bool>,
    pub session_hours: Option<i64>,
    pub max_body_mib: Option<usize>,
    pub log: Option<String>,
}

/// Settings after every source is applied.
#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: Secret,
    pub listen: String,
    pub secure_cookies: bool,
    pub trust_forwarded_for: bool,
    pub session_hours: i64,
    pub max_body_mib: usize,
    pub log: String,
}

/// What the command line said (each overrides file and environment).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub config: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub listen: Option<String>,
}

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn env_bool(name: &str) -> anyhow::Result<Option<bool>> {
    match env(name).as_deref() {
        None => Ok(None),
        Some("1" | "true" | "yes" | "on") => Ok(Some(true)),
        Some("0" | "false" | "no" | "off") => Ok(Some(false)),
        Some(other) => bail!("{name}={other}: expected true or false"),
    }
}

fn env_number<T: std::str::FromStr>(name: &str) -> anyhow::Result<Option<T>> {
    env(name).map(|v| v.parse::<T>().map_err(|_| anyhow::anyhow!("{name}={v}: expected a whole number"))).transpose()
}

impl Settings {
    pub fn load(overrides: &Overrides) -> anyhow::Result<Self> {
        let config_path = overrides.config.clone().or_else(|| env("BRIDGEHEAD_CONFIG").map(PathBuf::from));
        let file = match &config_path {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read config file {}", path.display()))?;
                toml::from_str::<FileSettings>(&text)
                    .with_context(|| format!("config file {} is not valid", path.display()))?
            }
            None => FileSettings::default(),
        };
        let data_dir = overrides
            .data_dir
            .clone()
            .or_else(|| env("BRIDGEHEAD_DATA_DIR").map(PathBuf::from))
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("data"));
        let database_url = overrides
            .database_url
            .clone()
            .or_else(|| env("BRIDGEHEAD_DATABASE_URL"))
            .map(Secret::new)
            .or(file.database_url)
            .unwrap_or_else(|| Secret::new(sqlite_url(&data_dir.join("bridgehead.sqlite"))));
        let settings = Self {
            database_url,
            listen: overrides
                .listen
                .clone()
                .or_else(|| env("BRIDGEHEAD_LISTEN"))
                .or(file.listen)
                .unwrap_or_else(|| DEFAULT_LISTEN.to_owned()),
            secure_cookies: env_bool("BRIDGEHEAD_SECURE_COOKIES")?.or(file.secure_cookies).unwrap_or(false),
            trust_forwarded_for: env_bool("BRIDGEHEAD_TRUST_FORWARDED_FOR")?
                .or(file.trust_forwarded_for)
                .unwrap_or(false),
            session_hours: env_number("BRIDGEHEAD_SESSION_HOURS")?.or(file.session_hours).unwrap_or(12),
            max_body_mib: env_number("BRIDGEHEAD_MAX_BODY_MIB")?.or(file.max_body_mib).unwrap_or(64),
            log: env("BRIDGEHEAD_LOG").or(file.log).unwrap_or_else(|| "info".to_owned()),
        };
        if !(1..=24 * 30).contains(&settings.session_hours) {
            bail!("session_hours must be between 1 and 720, not {}", settings.session_hours);
        }
        if !(1..=4096).contains(&settings.max_body_mib) {
            bail!("max_body_mib must be between 1 and 4096, not {}", settings.max_body_mib);
        }
        Ok(settings)
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.expose().starts_with("sqlite:")
    }
}

pub fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

/// A commented example configuration file.
pub const EXAMPLE: &str = r#"# Bridgehead configuration. Every key is optional; environment variables
# (BRIDGEHEAD_DATA_DIR, BRIDGEHEAD_DATABASE_URL, BRIDGEHEAD_LISTEN, …) override the
# file, and command-line flags override both. Point to this file with --config FILE
# or BRIDGEHEAD_CONFIG.

# Where the embedded database (and backups, by default) live.
data_dir = "data"

# Leave unset for the embedded SQLite file in data_dir. For PostgreSQL:
# database_url = "postgres://bridgehead:secret@db.example:5432/bridgehead"

# Address the web server listens on.
listen = "127.0.0.1:8080"

# Mark cookies Secure: set to true when users reach the server over HTTPS.
secure_cookies = false

# Take the client address for sign-in limits from X-Forwarded-For. Only behind a
# proxy you trust, which sets that header itself.
trust_forwarded_for = false

# How long a sign-in lasts.
session_hours = 12

# Largest request body (import files), in MiB.
max_body_mib = 64

# Log filter, e.g. "info" or "bridgehead=debug,info".
log = "info"
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_parses() {
        let parsed: FileSettings = toml::from_str(EXAMPLE).unwrap();
        assert_eq!(parsed.listen.as_deref(), Some("127.0.0.1:8080"));
        assert_eq!(parsed.session_hours, Some(12));
    }

    #[test]
    fn secrets_do_not_print() {
        let secret = Secret::new("postgres://u:pw@h/db".into());
        assert!(!format!("{secret:?}").contains("pw"));
    }
}
