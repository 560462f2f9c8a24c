//! Opening a store: pools, connection settings and migrations for each database.
//!
//! SQLite runs in WAL mode with one writer connection (writers queue in the pool instead of
//! spinning on the database lock) and several readers. `synchronous = NORMAL` keeps every
//! committed transaction across a process crash (`kill -9`); only an operating-system crash
//! can lose the last few, which is the usual trade for an embedded desk. PostgreSQL uses one
//! pool, and several nodes may share the database.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection};

use crate::{PooledConn, Result, StoreError, Tx};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
enum Pools {
    Sqlite {
        reader: SqlitePool,
        writer: SqlitePool,
    },
    Postgres(PgPool),
}

/// A handle on the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    pools: Pools,
}

impl std::fmt::Debug for Store {
    /// Never prints the URL: it may hold a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend())
            .finish()
    }
}

impl Store {
    /// Opens SQLite in `data_dir/frontline.db`, creating the folder and file if needed.
    pub async fn open_sqlite(data_dir: &Path) -> Result<Self> {
        Self::open_sqlite_file(&data_dir.join("frontline.db")).await
    }

    /// Opens (or creates) the SQLite database file at `path`.
    pub async fn open_sqlite_file(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::BadUrl(format!("cannot create data folder {}: {e}", dir.display()))
            })?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true)
            // 8 MiB of page cache per connection keeps five connections well inside the
            // memory budget of a small machine.
            .pragma("cache_size", "-8000")
            .pragma("temp_store", "memory");
        // No ping before handing out a connection: the database is a file in this process,
        // and a ping is one more hop to the connection's worker thread on every acquire.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.clone())
            .await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await?;
        Ok(Self {
            pools: Pools::Sqlite { reader, writer },
        })
    }

    /// Opens the database a URL names: `postgres://…` (or `postgresql://…`) or
    /// `sqlite:PATH` (`sqlite://PATH`).
    pub async fn open_url(url: &str) -> Result<Self> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::open_postgres(url).await
        } else if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            let path = path.split('?').next().unwrap_or_default();
            if path.is_empty() {
                return Err(StoreError::BadUrl("a sqlite: URL needs a file path".into()));
            }
            Self::open_sqlite_file(Path::new(path)).await
        } else {
            Err(StoreError::BadUrl(
                "use postgres://USER@HOST:PORT/DATABASE or sqlite:PATH".into(),
            ))
        }
    }

    /// Opens PostgreSQL from a `postgres://` URL.
    pub async fn open_postgres(url: &str) -> Result<Self> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::BadUrl(format!("not a PostgreSQL URL: {e}")))?;
        // One direct connection first: a pool retries until its timeout and then reports only
        // that it timed out, while this reports why (refused, unknown database, bad password).
        let probe = tokio::time::timeout(Duration::from_secs(10), options.connect())
            .await
            .map_err(|_| StoreError::BadUrl("PostgreSQL did not answer within 10 s".into()))??;
        probe.close().await?;
        // No ping before each acquire: it is a round trip on every read, and a console page
        // acquires several times. A connection the server dropped fails its next statement
        // with an I/O error instead, and the ping sqlx still sends when a connection is
        // released then discards it; idle ones are closed after 5 minutes, before a firewall
        // or the server would drop them.
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .test_before_acquire(false)
            .idle_timeout(Duration::from_secs(300))
            .connect_with(options)
            .await?;
        Ok(Self {
            pools: Pools::Postgres(pool),
        })
    }

    pub fn backend(&self) -> Backend {
        match self.pools {
            Pools::Sqlite { .. } => Backend::Sqlite,
            Pools::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies every migration not yet applied. Safe to run from several nodes at once: the
    /// migrator takes a lock on PostgreSQL, and SQLite has one writer.
    pub async fn migrate(&self) -> Result<()> {
        match &self.pools {
            Pools::Sqlite { writer, .. } => SQLITE_MIGRATIONS.run(writer).await?,
            Pools::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// True when the database answers and every migration this binary knows is applied.
    pub async fn is_ready(&self) -> Result<bool> {
        let (applied, known): (i64, usize) = match &self.pools {
            Pools::Sqlite { reader, .. } => (
                sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
                    .fetch_one(reader)
                    .await?,
                SQLITE_MIGRATIONS.iter().count(),
            ),
            Pools::Postgres(pool) => (
                sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
                    .fetch_one(pool)
                    .await?,
                POSTGRES_MIGRATIONS.iter().count(),
            ),
        };
        Ok(usize::try_from(applied).is_ok_and(|a| a >= known))
    }

    /// Begins a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a transaction never fails half-way upgrading a read lock.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match &self.pools {
            Pools::Sqlite { writer, .. } => Tx::Sqlite(writer.begin_with("BEGIN IMMEDIATE").await?),
            Pools::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// A connection for reads outside a transaction.
    pub async fn read(&self) -> Result<PooledConn> {
        Ok(match &self.pools {
            Pools::Sqlite { reader, .. } => PooledConn::Sqlite(reader.acquire().await?),
            Pools::Postgres(pool) => PooledConn::Postgres(pool.acquire().await?),
        })
    }

    pub async fn close(&self) {
        match &self.pools {
            Pools::Sqlite { reader, writer } => {
                reader.close().await;
                writer.close().await;
            }
            Pools::Postgres(pool) => pool.close().await,
        }
    }
}
