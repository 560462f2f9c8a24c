//! The storage error: what the layers above need to tell apart, and nothing of the driver.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint refused the write; the payload names the constraint or column.
    #[error("already exists: {0}")]
    Duplicate(String),
    /// The row changed since it was read (optimistic concurrency).
    #[error("the record changed since it was read")]
    Stale,
    #[error("the database URL is not usable: {0}")]
    BadUrl(String),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e
            && db.is_unique_violation()
        {
            return StoreError::Duplicate(
                db.constraint().unwrap_or_else(|| db.message()).to_owned(),
            );
        }
        StoreError::Database(e)
    }
}

impl StoreError {
    /// A stored value the domain refuses (a status no version of Frontline wrote): the row
    /// is corrupt, and the read fails rather than guess. `column` is `table.column`.
    pub fn corrupt(column: &str, e: impl std::fmt::Display) -> Self {
        StoreError::Corrupt(format!("{column}: {e}"))
    }

    /// Failures that a retry of the same transaction may cure: lock contention and
    /// serialization conflicts, or a connection lost under the pool.
    pub fn is_transient(&self) -> bool {
        match self {
            StoreError::Database(sqlx::Error::Database(db)) => {
                matches!(
                    db.code().as_deref(),
                    Some("40001" | "40P01" | "5" | "6" | "517")
                )
            }
            StoreError::Database(sqlx::Error::PoolTimedOut | sqlx::Error::Io(_)) => true,
            _ => false,
        }
    }
}
