//! The durable job queue as an administrator sees it: jobs by state (the dead ones above all:
//! they ran out of attempts and wait for someone to look), and a dead job given another set
//! of attempts once its cause is fixed; and the worker's side of the queue (`queue`).

pub mod queue;

pub use frontline_domain::job::{Job, JobState, Lease};
pub use queue::{ClaimLimits, Claimed, JobTransaction, JobTx};

use crate::{Actor, CoreError, Jobs, Permission, Result};
use frontline_domain::JobId;

impl Jobs {
    /// Jobs, newest first, in `state` (every state with `None`), `limit` after `before_id`
    /// (0 for the first page). For administrators.
    pub async fn list(
        &self,
        actor: &Actor,
        state: Option<JobState>,
        before_id: JobId,
        limit: i64,
    ) -> Result<Vec<Job>> {
        actor.require(Permission::JobQueue)?;
        let mut pc = self.core.store.read().await?;
        Ok(pc.conn().jobs_in_state(state, before_id, limit).await?)
    }

    /// Runs a dead job again: a fresh set of attempts, due now. For administrators; a job
    /// that is not dead is a conflict (it is still being tried, or it succeeded).
    pub async fn retry_job(&self, actor: &Actor, id: JobId) -> Result<Job> {
        actor.require(Permission::JobQueue)?;
        let mut tx = self.core.begin().await?;
        let mut c = tx.conn();
        let job = c.job(id).await?.ok_or(CoreError::NotFound("job"))?;
        if !c.revive_job(id, self.core.now().as_micros()).await? {
            return Err(CoreError::Conflict(format!(
                "only a dead job can be retried; job {id} is {}",
                job.state
            )));
        }
        let job = c.job(id).await?.ok_or(CoreError::NotFound("job"))?;
        tx.commit().await?;
        tracing::info!(job_id = %id, kind = %job.kind, actor = %actor.id, "dead job retried");
        Ok(job)
    }
}
