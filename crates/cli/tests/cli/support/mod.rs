//! Support for the black-box tests: a desk on a database of its own ([`TestDesk`]), the real
//! `frontline` binary run against it (administrative commands and [`Server`]), a small HTTP
//! client ([`Api`]), and [`on_both!`], which runs one test on SQLite and on PostgreSQL.
//!
//! Every child process is held by a guard that kills and reaps it when dropped, so a failing
//! test never leaves a server behind.

#![allow(
    dead_code,
    unused_imports,
    reason = "each test file uses its own part of the support module"
)]

mod api;
pub mod dovecot;
pub mod postfix;
mod server;

use std::process::{Command, Output, Stdio};

use frontline_testkit::PgDatabase;
use tempfile::TempDir;

pub use api::{Api, Reply, read, read_lossy, send, with_query};
pub use server::Server;

/// The binary cargo built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_frontline");

/// The binary under test: `FRONTLINE_BIN` when set (a release build, for the tests that
/// measure speed), else the one cargo built for these tests.
pub fn bin() -> String {
    std::env::var("FRONTLINE_BIN").unwrap_or_else(|_| BIN.to_owned())
}

/// Generates `sqlite::<name>` and `postgres::<name>` tests for each named
/// `async fn(Backend)` in the calling file.
#[macro_export]
macro_rules! on_both {
    ($($(#[$attr:meta])* $name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                $(#[$attr])*
                async fn $name() {
                    super::$name($crate::support::Backend::Sqlite).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test]
                $(#[$attr])*
                async fn $name() {
                    super::$name($crate::support::Backend::Postgres).await;
                }
            )+
        }
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A desk on a database of its own: a temporary data folder, or a new PostgreSQL database
/// dropped again with this value.
pub struct TestDesk {
    db_args: Vec<String>,
    _dir: TempDir,
    _pg: Option<PgDatabase>,
}

impl TestDesk {
    pub async fn new(backend: Backend, test: &str) -> Self {
        let dir = tempfile::tempdir().expect("cannot create a temporary folder");
        let (db_args, pg) = match backend {
            Backend::Sqlite => (
                vec!["--data-dir".to_owned(), dir.path().display().to_string()],
                None,
            ),
            Backend::Postgres => {
                let pg = PgDatabase::create(test).await;
                (vec!["--database-url".to_owned(), pg.url.clone()], Some(pg))
            }
        };
        Self {
            db_args,
            _dir: dir,
            _pg: pg,
        }
    }

    /// The PostgreSQL database's URL, for tests that look inside it.
    pub fn database_url(&self) -> Option<&str> {
        self._pg.as_ref().map(|pg| pg.url.as_str())
    }

    /// The SQLite database's file (in the data folder), for tests that look inside it.
    pub fn sqlite_file(&self) -> Option<std::path::PathBuf> {
        self._pg
            .is_none()
            .then(|| self._dir.path().join("frontline.db"))
    }

    /// `frontline ARGS… <database flags>`: the global flags go after the subcommand. None of
    /// the test runner's own `FRONTLINE_*` settings (a public URL, a log format, a listen
    /// address…) reach the binary; a test sets the ones it means.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(bin());
        cmd.args(args).args(&self.db_args);
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("FRONTLINE_") {
                cmd.env_remove(name);
            }
        }
        cmd.env("RUST_BACKTRACE", "1");
        cmd
    }

    /// Runs an administrative command to its end.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args)
            .stdin(Stdio::null())
            .output()
            .expect("cannot run the frontline binary")
    }

    /// Runs a command that must succeed and returns its standard output, trimmed.
    pub fn run_ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "`frontline {}` failed ({}): {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// `frontline user add` then `frontline token create`: a person and their API token.
    pub fn person(&self, email: &str, name: &str, role: &str) -> String {
        self.run_ok(&[
            "user", "add", "--email", email, "--name", name, "--role", role,
        ]);
        let token = self.run_ok(&["token", "create", "--email", email]);
        assert!(
            !token.is_empty() && !token.contains(char::is_whitespace),
            "token create printed {token:?}"
        );
        token
    }

    /// `frontline serve --listen 127.0.0.1:0`, waited for until `/readyz` answers 200.
    pub async fn serve(&self) -> Server {
        Server::start(self).await
    }

    /// `frontline serve` with more flags (`--smtp-listen …`).
    pub async fn serve_with(&self, extra: &[&str]) -> Server {
        Server::start_with(self, extra).await
    }

    /// `frontline serve` with more flags and environment variables.
    pub async fn serve_env(&self, extra: &[&str], env: &[(&str, &str)]) -> Server {
        Server::start_env(self, extra, env).await
    }
}
