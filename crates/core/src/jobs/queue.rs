//! The worker's side of the job queue (`frontline_jobs` runs it): claiming due jobs with a
//! lease, renewing the lease while a handler runs, and ending an attempt (done, to be
//! retried, dead), each only under the lease the worker holds. A job's database effects are
//! written in a [`JobTransaction`], which marks the job done under its lease first, so the
//! effects and the completion commit together or not at all.

use std::time::Duration;

use frontline_domain::Timestamp;
use frontline_store::jobs::Kinds;
use frontline_store::{Conn, Tx};

use super::{Job, Lease};
use crate::{Jobs, Result};

/// Jobs claimed at once: those of the kinds run inside the worker's transactions, and the
/// others, run each on its own.
#[derive(Debug, Default)]
pub struct Claimed {
    pub in_tx: Vec<Job>,
    pub alone: Vec<Job>,
}

/// How many jobs a claim takes: up to `in_tx` of the `batched` kinds and up to `alone` of
/// every other kind.
#[derive(Debug, Clone, Copy)]
pub struct ClaimLimits {
    pub in_tx: usize,
    pub alone: usize,
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

impl Jobs {
    /// Claims due jobs nobody holds for `worker`, for `lease`, counting the attempt: the
    /// `batched` kinds and the others, in one transaction. Oldest due first.
    pub async fn claim_jobs(
        &self,
        worker: &str,
        lease: Duration,
        batched: &[String],
        limits: ClaimLimits,
    ) -> Result<Claimed> {
        let now = self.core.now().as_micros();
        let lease = micros(lease);
        let mut tx = self.core.begin().await?;
        let mut c = tx.conn();
        let in_tx = c
            .claim_jobs_of(
                worker,
                now,
                lease,
                count(limits.in_tx),
                Kinds::Only(batched),
            )
            .await?;
        let alone = c
            .claim_jobs_of(
                worker,
                now,
                lease,
                count(limits.alone),
                Kinds::Except(batched),
            )
            .await?;
        tx.commit().await?;
        Ok(Claimed { in_tx, alone })
    }

    /// Extends every one of `leases` by `length` from now; false when one is no longer held
    /// (it ran out and another worker took the job, or the job ended).
    pub async fn renew_job_leases(&self, leases: &[Lease], length: Duration) -> Result<bool> {
        let now = self.core.now().as_micros();
        let until = now.saturating_add(micros(length));
        let mut tx = self.core.begin().await?;
        let mut held = true;
        for lease in leases {
            held &= tx.conn().renew_job(lease, until, now).await?;
        }
        tx.commit().await?;
        Ok(held)
    }

    /// Marks the attempt done, for a job whose handler wrote nothing in the database. False
    /// when the lease is no longer held.
    pub async fn finish_job(&self, lease: &Lease) -> Result<bool> {
        let mut tx = self.core.begin().await?;
        let done = tx
            .conn()
            .finish_job(lease, self.core.now().as_micros())
            .await?;
        tx.commit().await?;
        Ok(done)
    }

    /// Ends a failed attempt: the job runs again at `retry_at`, or, with `None`, is dead.
    /// False when the lease is no longer held.
    pub async fn fail_job(
        &self,
        lease: &Lease,
        error: &str,
        retry_at: Option<Timestamp>,
    ) -> Result<bool> {
        let now = self.core.now().as_micros();
        let mut tx = self.core.begin().await?;
        let done = tx
            .conn()
            .fail_job(lease, error, retry_at.map(Timestamp::as_micros), now)
            .await?;
        tx.commit().await?;
        Ok(done)
    }

    /// Begins a transaction for jobs' database effects.
    pub async fn begin_jobs(&self) -> Result<JobTransaction> {
        Ok(JobTransaction(self.core.begin().await?))
    }
}

/// A transaction for jobs' database effects: each job marks itself done in it under its
/// lease ([`JobTx::mark_done`]) before its handler writes.
pub struct JobTransaction(Tx);

impl JobTransaction {
    /// The transaction's connection, handed to the handlers.
    pub fn conn(&mut self) -> JobTx<'_> {
        JobTx(self.0.conn())
    }

    pub async fn commit(self) -> Result<()> {
        Ok(self.0.commit().await?)
    }
}

/// The connection of a [`JobTransaction`], as a job's handler holds it. The desk's
/// operations that run inside a job take it where they take a connection (it dereferences to
/// one), so a handler never names the store.
pub struct JobTx<'c>(Conn<'c>);

/// The savepoint each job of a batch runs behind.
const STEP: &str = "job";

impl JobTx<'_> {
    /// Marks the job done under `lease`; false when the lease is lost, and then whatever the
    /// job did in this transaction must be undone.
    pub async fn mark_done(&mut self, lease: &Lease, now: Timestamp) -> Result<bool> {
        Ok(self.0.finish_job(lease, now.as_micros()).await?)
    }

    /// Begins one job's part of a batch, which [`JobTx::keep_step`] keeps or
    /// [`JobTx::undo_step`] rolls back alone.
    pub async fn begin_step(&mut self) -> Result<()> {
        Ok(self.0.savepoint(STEP).await?)
    }

    pub async fn keep_step(&mut self) -> Result<()> {
        Ok(self.0.release_savepoint(STEP).await?)
    }

    pub async fn undo_step(&mut self) -> Result<()> {
        Ok(self.0.rollback_to_savepoint(STEP).await?)
    }
}

impl<'c> std::ops::Deref for JobTx<'c> {
    type Target = Conn<'c>;

    fn deref(&self) -> &Conn<'c> {
        &self.0
    }
}

impl<'c> std::ops::DerefMut for JobTx<'c> {
    fn deref_mut(&mut self) -> &mut Conn<'c> {
        &mut self.0
    }
}
