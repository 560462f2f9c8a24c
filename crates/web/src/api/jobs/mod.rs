//! `/api/v1/jobs`: the durable job queue for administrators: jobs by state (dead ones wait
//! for someone to read their last error), and retrying a dead job.

pub mod list;
pub mod retry;

use frontline_core::jobs::Job as QueuedJob;
use frontline_domain::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::time;

#[derive(Debug, Serialize, ToSchema)]
pub struct Job {
    pub id: i64,
    /// What the job does, e.g. `sla.timer` or `notify`.
    pub kind: String,
    /// What the handler reads, as stored (JSON).
    pub payload: String,
    /// queued (waiting or running), done, or dead (out of attempts).
    pub state: String,
    /// When it is due (queued) or was last due.
    pub run_at: String,
    pub attempts: i64,
    pub max_attempts: i64,
    /// The error of the last failed attempt.
    pub last_error: Option<String>,
    /// The worker holding it while it runs, and until when.
    pub locked_by: Option<String>,
    pub locked_until: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub finished_at: Option<String>,
}

impl From<QueuedJob> for Job {
    fn from(j: QueuedJob) -> Self {
        let at = |t: Timestamp| time(t.as_micros());
        Self {
            id: j.id.get(),
            kind: j.kind,
            payload: j.payload,
            state: j.state.as_str().to_owned(),
            run_at: at(j.run_at),
            attempts: j.attempts,
            max_attempts: j.max_attempts,
            last_error: j.last_error,
            locked_by: j.locked_by,
            locked_until: j.locked_until.map(at),
            created_at: at(j.created_at),
            updated_at: at(j.updated_at),
            finished_at: j.finished_at.map(at),
        }
    }
}
