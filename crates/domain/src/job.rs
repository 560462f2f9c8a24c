//! Jobs of the durable queue as the desk reads them: what a job does (`kind`, `payload`), its
//! state, its attempts, and the lease a worker holds on it while it runs.

use crate::{DomainError, JobId, Timestamp};

/// Where a job is: waiting or running, finished, or given up on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobState {
    /// Waiting to be due, or running under a worker's lease.
    Queued,
    Done,
    /// Out of attempts (or failed for good): kept for an administrator to read and revive.
    Dead,
}

impl JobState {
    pub const ALL: [JobState; 3] = [JobState::Queued, JobState::Done, JobState::Dead];

    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Done => "done",
            JobState::Dead => "dead",
        }
    }

    pub fn parse(text: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| DomainError::new("state", "must be queued, done or dead"))
    }
}

impl std::fmt::Display for JobState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One job of the queue.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: JobId,
    /// What the job does, e.g. `sla.timer`; the worker runs the handler registered for it.
    pub kind: String,
    /// JSON the handler reads.
    pub payload: String,
    /// A second job with the same key is not added while this one is kept.
    pub dedup_key: Option<String>,
    pub state: JobState,
    /// When it is due (queued) or was last due.
    pub run_at: Timestamp,
    /// Attempts started so far, this one included while it runs.
    pub attempts: i64,
    pub max_attempts: i64,
    /// The worker holding it while it runs, and until when.
    pub locked_by: Option<String>,
    pub locked_until: Option<Timestamp>,
    /// The error of the last failed attempt.
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub finished_at: Option<Timestamp>,
}

/// The lease a worker holds on a claimed job: who, and which attempt. Every call that ends
/// an attempt names it, so a worker whose lease ran out (another took the job over) changes
/// nothing with its late answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub job_id: JobId,
    pub worker: String,
    pub attempt: i64,
}

impl Lease {
    /// The lease `worker` holds on `job`'s current attempt.
    pub fn of(job: &Job, worker: &str) -> Self {
        Self {
            job_id: job.id,
            worker: worker.to_owned(),
            attempt: job.attempts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_state_and_nothing_else() {
        for s in JobState::ALL {
            assert_eq!(JobState::parse(s.as_str()), Ok(s));
        }
        assert!(JobState::parse("running").is_err());
    }
}
