//! Test support shared by Frontline's suites: [`TestDb`], a store on a database of its own
//! (a temporary folder for SQLite, a new database on the `FRONTLINE_TEST_PG` server for
//! PostgreSQL), removed again afterwards, and [`stories!`], which turns each named story
//! into one test per database. A PostgreSQL test never skips: an unreachable server fails it.
//! [`corpus`] finds the shared mail corpora and the messages in them.

pub mod corpus;

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use frontline_store::Store;
use sqlx::{AssertSqlSafe, Connection, PgConnection};

/// The server PostgreSQL stories run on when `FRONTLINE_TEST_PG` is not set.
pub const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Generates `sqlite::<story>` and `postgres::<story>` tests for each named story, an
/// `async fn(&Store) -> frontline_store::Result<()>` in the calling file. Attributes before
/// a name go on both tests; `name on sqlite #[ignore = "bug: …"]` or `on postgres` puts one
/// on that database's test only.
#[macro_export]
macro_rules! stories {
    ($(
        $(#[$attr:meta])* $story:ident
        $(on sqlite #[$sqlite:meta])? $(on postgres #[$postgres:meta])?
    ),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                $(#[$attr])*
                $(#[$sqlite])?
                async fn $story() {
                    let db = $crate::TestDb::sqlite().await;
                    let outcome = super::$story(&db.store).await;
                    db.finish().await;
                    if let Err(e) = outcome {
                        panic!("story {} on SQLite failed: {e:?}", stringify!($story));
                    }
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test]
                $(#[$attr])*
                $(#[$postgres])?
                async fn $story() {
                    let db = $crate::TestDb::postgres(stringify!($story)).await;
                    let outcome = super::$story(&db.store).await;
                    db.finish().await;
                    if let Err(e) = outcome {
                        panic!("story {} on PostgreSQL failed: {e:?}", stringify!($story));
                    }
                }
            )+
        }
    };
}

/// A store on a database of its own, removed again when this is dropped (even on panic).
pub struct TestDb {
    pub store: Store,
    _cleanup: Cleanup,
}

#[expect(
    dead_code,
    reason = "held only so that dropping it removes the database"
)]
enum Cleanup {
    Sqlite(tempfile::TempDir),
    Postgres(PgDatabase),
}

impl TestDb {
    /// A new, un-migrated SQLite database in a temporary folder.
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("cannot create a temporary folder");
        let store = Store::open_sqlite(dir.path())
            .await
            .expect("cannot open SQLite in a temporary folder");
        Self {
            store,
            _cleanup: Cleanup::Sqlite(dir),
        }
    }

    /// A new, un-migrated PostgreSQL database. Panics, never skips, when the server is
    /// unreachable: a story that did not run must not look like one that passed.
    pub async fn postgres(story: &str) -> Self {
        let database = PgDatabase::create(story).await;
        let store = Store::open_postgres(&database.url)
            .await
            .unwrap_or_else(|e| panic!("cannot open the new database {}: {e}", database.name));
        Self {
            store,
            _cleanup: Cleanup::Postgres(database),
        }
    }

    /// Closes the pools; the folder or database goes when `self` is dropped.
    pub async fn finish(self) {
        self.store.close().await;
    }
}

/// An empty PostgreSQL database of a test's own, dropped with this value. For tests that hand
/// a URL to a `frontline` process instead of opening a [`Store`] themselves.
pub struct PgDatabase {
    /// `postgres://…/<name>`, ready to pass as `--database-url`.
    pub url: String,
    pub name: String,
    admin: String,
}

impl PgDatabase {
    /// Creates the database on the `FRONTLINE_TEST_PG` server (default [`DEFAULT_PG`]).
    /// Panics when the server is unreachable: a test that did not run must not pass.
    pub async fn create(test: &str) -> Self {
        let admin = std::env::var("FRONTLINE_TEST_PG").unwrap_or_else(|_| DEFAULT_PG.into());
        let name = database_name(test);
        let mut conn = admin_connection(&admin).await;
        sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("cannot create database {name} on {}: {e}", redact(&admin)));
        let _ = conn.close().await;
        Self {
            url: with_database(&admin, &name),
            name,
            admin,
        }
    }
}

/// Drops the database. `Drop` cannot await, so it runs on a thread of its own.
impl Drop for PgDatabase {
    fn drop(&mut self) {
        let admin = self.admin.clone();
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("cannot start a runtime to drop the test database");
            runtime.block_on(async move {
                let mut conn = admin_connection(&admin).await;
                sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut conn).await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(_))) && !std::thread::panicking() {
            panic!("cannot drop test database {}: {dropped:?}", self.name);
        }
    }
}

async fn admin_connection(url: &str) -> PgConnection {
    match tokio::time::timeout(Duration::from_secs(10), PgConnection::connect(url)).await {
        Ok(Ok(conn)) => conn,
        Ok(Err(e)) => panic!(
            "PostgreSQL at {} is unreachable: {e}. The storage stories need a server where \
             they may create databases; set FRONTLINE_TEST_PG to its URL.",
            redact(url)
        ),
        Err(_) => panic!(
            "PostgreSQL at {} did not answer within 10 s; set FRONTLINE_TEST_PG to a server \
             where the storage stories may create databases.",
            redact(url)
        ),
    }
}

/// `store_t_<story>_<process>_<counter><time>`: unique across parallel tests and test binaries.
pub fn database_name(story: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let story: String = story.chars().take(24).collect();
    format!("store_t_{story}_{}_{n}_{nanos}", std::process::id())
}

/// The same server URL with another database name in its path.
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let authority = base.find("://").map_or(0, |i| i + 3);
    let path = base[authority..]
        .find('/')
        .map_or(base.len(), |i| authority + i);
    let mut out = format!("{}/{database}", &base[..path]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// The URL with any password replaced, for failure messages.
pub fn redact(url: &str) -> String {
    let authority = url.find("://").map_or(0, |i| i + 3);
    let Some(at) = url[authority..].find('@').map(|i| authority + i) else {
        return url.to_owned();
    };
    match url[authority..at].find(':') {
        Some(colon) => format!("{}:***{}", &url[..authority + colon], &url[at..]),
        None => url.to_owned(),
    }
}
