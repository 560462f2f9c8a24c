//! The worker of the durable job queue. Each node runs one; it claims due jobs with a lease,
//! runs the handler registered for each job's kind, and records the outcome. The queue's
//! database calls go through `frontline_core::jobs::queue`.
//!
//! Exactly once for database effects: a handler writes its effects in the transaction that
//! [`JobContext::begin`] opens, which has already marked the job done under this worker's
//! lease. If the lease ran out meanwhile (the node stalled, another took the job over), that
//! transaction is refused and nothing the handler did is kept. Effects outside the database
//! (mail, webhooks) are at least once; their handlers carry their own dedup keys.
//!
//! A node that dies holding jobs lets their leases run out, and another node (or the same one
//! after a restart) runs them: nothing due is lost while every node is down.
//!
//! The parts: handlers and what they are given (`handler`), how a worker paces itself
//! (`config`), claiming due jobs (`claim`), running them (`run`), keeping their leases while
//! they run (`lease`), and recording how an attempt ended, with retry backoff (`outcome`).

mod claim;
mod config;
mod handler;
mod lease;
mod outcome;
mod run;

pub use claim::{run_due, spawn_worker};
pub use config::WorkerConfig;
pub use handler::{Handler, HandlerFuture, JobContext, Registry, Through, TxHandler, through};

use frontline_core::jobs::Job;
use serde::de::DeserializeOwned;

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Worth another attempt later (a server down, a lock timeout).
    #[error("{0}")]
    Retry(String),
    /// No attempt will do better (a malformed payload): the job is dead at once.
    #[error("{0}")]
    Permanent(String),
    /// The lease ran out and another worker holds the job now.
    #[error("the job's lease ran out before it finished")]
    LeaseLost,
    /// The database gave up on the transaction for contention (a deadlock, a serialization
    /// conflict, a busy SQLite): the next attempt runs after a fraction of a second, not after
    /// the usual backoff.
    #[error("{0}")]
    Contended(String),
}

impl From<frontline_core::CoreError> for JobError {
    fn from(e: frontline_core::CoreError) -> Self {
        match e {
            frontline_core::CoreError::Store(s) if s.is_transient() => {
                JobError::Contended(s.to_string())
            }
            frontline_core::CoreError::Store(s) => JobError::Retry(s.to_string()),
            other => JobError::Retry(other.to_string()),
        }
    }
}

/// A job's payload as `T`; a payload that does not parse is a permanent failure.
pub fn payload<T: DeserializeOwned>(job: &Job) -> Result<T, JobError> {
    serde_json::from_str(&job.payload)
        .map_err(|e| JobError::Permanent(format!("unreadable payload: {e}")))
}
