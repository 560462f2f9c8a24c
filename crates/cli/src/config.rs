//! Typed configuration: defaults, then an optional TOML file, then `FRONTLINE_*` variables and
//! flags (clap reads both; flags win over variables).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

use crate::args::{Global, LogFormat};

/// What the file may hold. Unknown keys are an error, so a typo is not silently ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    listen: Option<SocketAddr>,
    public_url: Option<String>,
    log_format: Option<LogFormat>,
    /// A tracing filter such as `info,frontline_web=debug`.
    log: Option<String>,
}

/// Where the database is. `Debug` never prints a PostgreSQL URL, which may hold a password.
pub enum Database {
    SqliteDir(PathBuf),
    Url(String),
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Database::SqliteDir(d) => write!(f, "SQLite in {}", d.display()),
            Database::Url(u) => write!(f, "{}", redact(u)),
        }
    }
}

/// The URL with any password replaced by `***`.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[derive(Debug)]
pub struct Config {
    pub database: Database,
    pub listen: SocketAddr,
    /// From the file; `serve --public-url` (or its variable) wins over it.
    pub public_url: Option<String>,
    pub log_format: LogFormat,
    pub log: String,
}

impl Config {
    /// `serving` picks the default log level: informative for the server, quiet for the
    /// administrative commands whose output scripts read.
    pub fn load(
        global: &Global,
        listen_flag: Option<SocketAddr>,
        serving: bool,
    ) -> anyhow::Result<Self> {
        let file = match &global.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        let database = match (
            global.database_url.clone().or(file.database_url),
            global.data_dir.clone().or(file.data_dir),
        ) {
            (Some(url), _) => Database::Url(url),
            (None, Some(dir)) => Database::SqliteDir(dir),
            (None, None) => Database::SqliteDir(PathBuf::from("frontline-data")),
        };
        let log = std::env::var("FRONTLINE_LOG")
            .ok()
            .or(file.log)
            .unwrap_or_else(|| if serving { "info,sqlx=warn" } else { "warn" }.to_owned());
        Ok(Self {
            database,
            listen: listen_flag
                .or(file.listen)
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080))),
            public_url: file.public_url,
            log_format: global
                .log_format
                .or(file.log_format)
                .unwrap_or(LogFormat::Text),
            log,
        })
    }
}

fn read_file(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
    toml::from_str(&text)
        .with_context(|| format!("the configuration file {} is not valid", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://app:s3cret@db:5432/desk"),
            "postgres://app:***@db:5432/desk"
        );
        assert_eq!(redact("postgres://app@db/desk"), "postgres://app@db/desk");
        assert_eq!(redact("sqlite:/x/y.db"), "sqlite:/x/y.db");
    }

    #[test]
    fn unknown_file_keys_are_refused() {
        assert!(toml::from_str::<FileConfig>("listen = \"127.0.0.1:9000\"").is_ok());
        let file = toml::from_str::<FileConfig>("public_url = \"https://help.example.org\"");
        assert_eq!(
            file.ok().and_then(|f| f.public_url).as_deref(),
            Some("https://help.example.org")
        );
        assert!(toml::from_str::<FileConfig>("lisen = \"127.0.0.1:9000\"").is_err());
    }
}
