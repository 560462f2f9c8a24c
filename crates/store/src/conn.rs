//! Connections and transactions over either database, and `on!`, which runs one piece of
//! SQL on whichever it is. Query methods are written once against [`Conn`].

use sqlx::pool::PoolConnection;
use sqlx::{AssertSqlSafe, PgConnection, Postgres, Sqlite, SqliteConnection, Transaction};

/// A borrowed connection of either kind: the receiver of every query method.
pub enum Conn<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

/// Runs `$body` with `$c` bound to the concrete connection, so the same SQL and the same
/// bind calls type-check against each driver.
macro_rules! on {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::Conn::Sqlite(inner) => {
                let $c = &mut **inner;
                $body
            }
            $crate::Conn::Postgres(inner) => {
                let $c = &mut **inner;
                $body
            }
        }
    };
}
pub(crate) use on;

impl Conn<'_> {
    pub fn is_postgres(&self) -> bool {
        matches!(self, Conn::Postgres(_))
    }
}

/// A transaction; dropped without `commit` it rolls back.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Tx::Sqlite(t) => Conn::Sqlite(t),
            Tx::Postgres(t) => Conn::Postgres(t),
        }
    }

    pub async fn commit(self) -> crate::Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}

/// Savepoints: a part of a transaction that can be undone alone (each job of a batch runs
/// behind one).
impl Conn<'_> {
    /// Marks a point inside the transaction that `rollback_to_savepoint` returns to.
    pub async fn savepoint(&mut self, name: &'static str) -> crate::Result<()> {
        self.run_savepoint_sql(format!("SAVEPOINT {name}")).await
    }

    pub async fn rollback_to_savepoint(&mut self, name: &'static str) -> crate::Result<()> {
        self.run_savepoint_sql(format!("ROLLBACK TO SAVEPOINT {name}"))
            .await
    }

    pub async fn release_savepoint(&mut self, name: &'static str) -> crate::Result<()> {
        self.run_savepoint_sql(format!("RELEASE SAVEPOINT {name}"))
            .await
    }

    async fn run_savepoint_sql(&mut self, sql: String) -> crate::Result<()> {
        on!(self, |c| sqlx::raw_sql(AssertSqlSafe(sql))
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }
}

/// A connection taken from the pool for reads outside a transaction.
pub enum PooledConn {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

impl PooledConn {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            PooledConn::Sqlite(c) => Conn::Sqlite(c),
            PooledConn::Postgres(c) => Conn::Postgres(c),
        }
    }
}
