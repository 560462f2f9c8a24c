//! Housekeeping the background worker runs periodically. Each task is idempotent and safe to
//! run on several nodes at once.

use crate::{Jobs, Result};

/// How long an `Idempotency-Key` is remembered.
pub const IDEMPOTENCY_WINDOW_SECONDS: i64 = 24 * 60 * 60;

/// How long a finished job is kept, so that its dedup key still refuses a repeat.
pub const FINISHED_JOBS_KEPT_SECONDS: i64 = 7 * 24 * 60 * 60;

impl Jobs {
    /// Forgets jobs that finished longer ago than [`FINISHED_JOBS_KEPT_SECONDS`].
    pub async fn purge_finished_jobs(&self) -> Result<u64> {
        let before = self
            .core
            .now()
            .plus_seconds(-FINISHED_JOBS_KEPT_SECONDS)
            .as_micros();
        let mut tx = self.core.begin().await?;
        let n = tx.conn().purge_jobs(before).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Forgets idempotency keys older than the window; returns how many.
    pub async fn expire_idempotency_keys(&self) -> Result<u64> {
        let before = self
            .core
            .now()
            .plus_seconds(-IDEMPOTENCY_WINDOW_SECONDS)
            .as_micros();
        let mut tx = self.core.begin().await?;
        let n = tx.conn().expire_idempotency_keys(before).await?;
        tx.commit().await?;
        Ok(n)
    }
}
