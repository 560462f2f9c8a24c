//! The databases a run is measured on: a fresh SQLite folder or a fresh PostgreSQL database
//! (created and dropped with `psql`). Each is removed when its guard drops, also on error.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        })
    }
}

/// A database that exists only for this run.
#[derive(Debug)]
pub struct Database {
    /// The global flags that point `frontline` at it.
    pub args: Vec<String>,
    place: Place,
}

#[derive(Debug)]
enum Place {
    Dir(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl Database {
    /// A new SQLite folder; refuses one that exists, so nobody's data is ever removed.
    pub fn sqlite(dir: &Path) -> anyhow::Result<Self> {
        if dir.exists() {
            bail!("{} exists already; pick another --work-dir", dir.display());
        }
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(Self {
            args: vec!["--data-dir".into(), dir.display().to_string()],
            place: Place::Dir(dir.to_owned()),
        })
    }

    /// A new database `name` on the server `admin_url` (a URL to any database there, such
    /// as `postgres://postgres@127.0.0.1:5432/postgres`), dropping a leftover of that name.
    pub fn postgres(admin_url: &str, name: &str) -> anyhow::Result<Self> {
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            bail!("database name {name:?} must be lower-case letters, digits and _");
        }
        psql(
            admin_url,
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        )?;
        psql(admin_url, &format!("CREATE DATABASE {name}"))?;
        let url = with_database(admin_url, name)?;
        Ok(Self {
            args: vec!["--database-url".into(), url],
            place: Place::Postgres {
                admin_url: admin_url.to_owned(),
                name: name.to_owned(),
            },
        })
    }

    /// Brings a freshly bulk-loaded database to the state a live one is in: on PostgreSQL,
    /// planner statistics and the visibility map, which autovacuum would build within minutes
    /// (without them the queue is planned as if the table were empty). SQLite needs nothing.
    pub fn settle(&self) -> anyhow::Result<()> {
        if let Place::Postgres { admin_url, name } = &self.place {
            psql(&with_database(admin_url, name)?, "VACUUM ANALYZE")?;
        }
        Ok(())
    }

    /// Runs one statement on the database itself, past the server (which must be stopped on
    /// SQLite), and returns its output; for setting up state in bulk.
    pub fn execute(&self, sql: &str) -> anyhow::Result<String> {
        match &self.place {
            Place::Dir(dir) => sqlite3(&dir.join("frontline.db"), sql),
            Place::Postgres { admin_url, name } => psql(&with_database(admin_url, name)?, sql),
        }
    }

    /// Bytes on disk: the SQLite folder (database, WAL, attachments) or `pg_database_size`.
    pub fn size(&self) -> anyhow::Result<u64> {
        match &self.place {
            Place::Dir(dir) => dir_size(dir),
            Place::Postgres { admin_url, name } => {
                let out = psql(admin_url, &format!("SELECT pg_database_size('{name}')"))?;
                out.trim()
                    .parse()
                    .with_context(|| format!("pg_database_size answered {out:?}"))
            }
        }
    }
}

/// Where generated desks are kept between runs (`--desks`): an SQLite folder copy, or a
/// PostgreSQL database used as a template, one per backend and ticket count.
#[derive(Debug, Clone)]
pub struct Desks {
    pub dir: PathBuf,
    pub tickets: u64,
}

impl Desks {
    fn sqlite_dir(&self) -> PathBuf {
        self.dir.join(format!("sqlite-{}", self.tickets))
    }

    fn postgres_name(&self) -> String {
        format!("frontline_bench_desk_{}", self.tickets)
    }
}

impl Database {
    /// Replaces this (fresh, empty) database with a copy of the kept desk; `false` when there
    /// is none yet. A kept desk exists only once its copy finished (SQLite: the folder's
    /// `complete` marker; PostgreSQL: the template database, created in one statement).
    pub fn restore(&self, desks: &Desks) -> anyhow::Result<bool> {
        match &self.place {
            Place::Dir(dir) => {
                let kept = desks.sqlite_dir();
                if !kept.join("complete").is_file() {
                    return Ok(false);
                }
                copy_dir(&kept, dir)?;
                std::fs::remove_file(dir.join("complete"))?;
            }
            Place::Postgres { admin_url, name } => {
                let kept = desks.postgres_name();
                let found = psql(
                    admin_url,
                    &format!("SELECT COUNT(*) FROM pg_database WHERE datname = '{kept}'"),
                )?;
                if found != "1" {
                    return Ok(false);
                }
                psql(admin_url, &format!("DROP DATABASE {name} WITH (FORCE)"))?;
                psql(
                    admin_url,
                    &format!("CREATE DATABASE {name} TEMPLATE {kept}"),
                )?;
            }
        }
        Ok(true)
    }

    /// Keeps a copy of this database (no server may be running on it) as the desk for later
    /// runs.
    pub fn keep_as(&self, desks: &Desks) -> anyhow::Result<()> {
        match &self.place {
            Place::Dir(dir) => {
                let kept = desks.sqlite_dir();
                if kept.exists() {
                    std::fs::remove_dir_all(&kept)
                        .with_context(|| format!("cannot remove {}", kept.display()))?;
                }
                copy_dir(dir, &kept)?;
                std::fs::write(kept.join("complete"), b"")?;
            }
            Place::Postgres { admin_url, name } => {
                let kept = desks.postgres_name();
                psql(
                    admin_url,
                    &format!("DROP DATABASE IF EXISTS {kept} WITH (FORCE)"),
                )?;
                psql(
                    admin_url,
                    &format!("CREATE DATABASE {kept} TEMPLATE {name}"),
                )?;
            }
        }
        Ok(())
    }
}

/// Copies the files of `from` (recursively) into `to`, creating it.
fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    for entry in
        std::fs::read_dir(from).with_context(|| format!("cannot list {}", from.display()))?
    {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.metadata()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target).with_context(|| {
                format!(
                    "cannot copy {} to {}",
                    entry.path().display(),
                    target.display()
                )
            })?;
        }
    }
    Ok(())
}

impl Drop for Database {
    fn drop(&mut self) {
        let result = match &self.place {
            Place::Dir(dir) => std::fs::remove_dir_all(dir)
                .with_context(|| format!("cannot remove {}", dir.display())),
            Place::Postgres { admin_url, name } => psql(
                admin_url,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            )
            .map(drop),
        };
        if let Err(e) = result {
            eprintln!("frontline-bench: cleanup: {e:#}");
        }
    }
}

/// Runs one statement with `psql` and returns its unaligned output.
pub fn psql(url: &str, sql: &str) -> anyhow::Result<String> {
    let mut cmd = Command::new("psql");
    cmd.args([
        "-X",
        "-q",
        "-tA",
        "-v",
        "ON_ERROR_STOP=1",
        "-d",
        url,
        "-c",
        sql,
    ]);
    shell(cmd, "psql (is the PostgreSQL client installed?)", sql)
}

/// Runs one statement with the `sqlite3` shell on `file` and returns its output.
fn sqlite3(file: &Path, sql: &str) -> anyhow::Result<String> {
    let mut cmd = Command::new("sqlite3");
    cmd.args(["-bail", "-cmd", ".timeout 60000"])
        .arg(file)
        .arg(sql);
    shell(cmd, "sqlite3 (is the SQLite shell installed?)", sql)
}

/// Runs a database shell to completion; its output, trimmed, or its error output as the error.
fn shell(mut cmd: Command, tool: &str, sql: &str) -> anyhow::Result<String> {
    let out = cmd.output().with_context(|| format!("cannot run {tool}"))?;
    if !out.status.success() {
        bail!(
            "`{sql}` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// `admin_url` with its database name replaced by `name` (any `?query` is kept).
fn with_database(admin_url: &str, name: &str) -> anyhow::Result<String> {
    let after_scheme = admin_url
        .find("://")
        .map(|i| i + 3)
        .with_context(|| format!("{admin_url:?} is not a postgres:// URL"))?;
    let (base, query) = match admin_url.find('?') {
        Some(q) => admin_url.split_at(q),
        None => (admin_url, ""),
    };
    let host_end = base[after_scheme..]
        .find('/')
        .map_or(base.len(), |i| after_scheme + i);
    Ok(format!("{}/{name}{query}", &base[..host_end]))
}

fn dir_size(dir: &Path) -> anyhow::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))? {
        let entry = entry?;
        let meta = entry.metadata()?;
        total += if meta.is_dir() {
            dir_size(&entry.path())?
        } else {
            meta.len()
        };
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn replaces_the_database_and_keeps_the_query() -> anyhow::Result<()> {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "b")?,
            "postgres://postgres@127.0.0.1:5432/b"
        );
        assert_eq!(
            with_database("postgres://u:p@h/x?sslmode=disable", "b")?,
            "postgres://u:p@h/b?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://h:5432", "b")?,
            "postgres://h:5432/b"
        );
        Ok(())
    }
}
