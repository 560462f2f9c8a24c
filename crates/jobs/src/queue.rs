//! The worker of the durable job queue. Each node runs one; it claims due jobs with a lease,
//! runs the handler registered for each job's kind, and records the outcome.
//!
//! Exactly once for database effects: a handler writes its effects in the transaction that
//! [`JobContext::begin`] opens, which has already marked the job done under this worker's
//! lease. If the lease ran out meanwhile (the node stalled, another took the job over), that
//! transaction is refused and nothing the handler did is kept. Effects outside the database
//! (mail, webhooks) are at least once; their handlers carry their own dedup keys.
//!
//! A node that dies holding jobs lets their leases run out, and another node (or the same one
//! after a restart) runs them: nothing due is lost while every node is down.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use frontline_core::Desk;
use frontline_store::jobs::{JobRow, Lease};
use frontline_store::{StoreError, Tx};
use serde::de::DeserializeOwned;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use tracing::Instrument;

pub type HandlerFuture<'a> = Pin<Box<dyn Future<Output = Result<(), JobError>> + Send + 'a>>;

/// Runs one kind of job. A plain `fn(&mut JobContext) -> HandlerFuture<'_>` is a handler.
pub trait Handler: Send + Sync {
    fn run<'a>(&'a self, ctx: &'a mut JobContext) -> HandlerFuture<'a>;
}

impl<F> Handler for F
where
    F: for<'a> Fn(&'a mut JobContext) -> HandlerFuture<'a> + Send + Sync,
{
    fn run<'a>(&'a self, ctx: &'a mut JobContext) -> HandlerFuture<'a> {
        self(ctx)
    }
}

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
}

impl From<StoreError> for JobError {
    fn from(e: StoreError) -> Self {
        JobError::Retry(e.to_string())
    }
}

impl From<frontline_core::CoreError> for JobError {
    fn from(e: frontline_core::CoreError) -> Self {
        JobError::Retry(e.to_string())
    }
}

/// What a handler gets: the desk, the job, and the transaction that finishes it.
pub struct JobContext {
    pub desk: Desk,
    pub job: JobRow,
    lease: Lease,
    began: bool,
}

impl JobContext {
    /// The payload as `T`; a payload that does not parse is a permanent failure.
    pub fn payload<T: DeserializeOwned>(&self) -> Result<T, JobError> {
        serde_json::from_str(&self.job.payload)
            .map_err(|e| JobError::Permanent(format!("unreadable payload: {e}")))
    }

    /// Begins the transaction for the job's database effects. It already marks the job done,
    /// so the effects and the completion commit together or not at all.
    pub async fn begin(&mut self) -> Result<Tx, JobError> {
        let mut tx = self.desk.store().begin().await?;
        let now = self.desk.now().as_micros();
        if !tx.conn().finish_job(&self.lease, now).await? {
            return Err(JobError::LeaseLost);
        }
        self.began = true;
        Ok(tx)
    }
}

/// Handlers by job kind.
#[derive(Default, Clone)]
pub struct Registry {
    handlers: HashMap<String, Arc<dyn Handler>>,
}

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn register(mut self, kind: &str, handler: impl Handler + 'static) -> Self {
        self.handlers.insert(kind.to_owned(), Arc::new(handler));
        self
    }
}

/// How a worker paces itself.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// A name unique among the nodes (host, process and start time by default).
    pub id: String,
    /// How long a claim lasts unless renewed. The worker renews it every third of this while
    /// the handler runs, so a job held by a node that died is free again within one lease:
    /// short, because that is how late such a job can be.
    pub lease: Duration,
    /// Longest a handler may run; after that the attempt fails and is retried.
    pub timeout: Duration,
    /// How long an idle worker waits before looking for due jobs again.
    pub poll: Duration,
    /// Jobs run at once.
    pub concurrency: usize,
    /// First retry delay; each further attempt doubles it, up to `max_backoff`.
    pub backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            id: default_worker_id(),
            lease: Duration::from_secs(2),
            timeout: Duration::from_secs(60),
            poll: Duration::from_millis(250),
            concurrency: 4,
            backoff: Duration::from_secs(10),
            max_backoff: Duration::from_secs(3_600),
        }
    }
}

fn default_worker_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "node".to_owned());
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros());
    format!("{host}-{}-{started}", std::process::id())
}

/// Starts a worker; it stops claiming when `shutdown` turns true and returns once the jobs
/// it holds have finished.
pub fn spawn_worker(
    desk: Desk,
    registry: Registry,
    config: WorkerConfig,
    mut shutdown: watch::Receiver<bool>,
) -> JoinHandle<()> {
    let registry = Arc::new(registry);
    tokio::spawn(async move {
        tracing::info!(worker = %config.id, "job worker started");
        loop {
            if *shutdown.borrow() {
                break;
            }
            let ran = match run_due(&desk, &registry, &config).await {
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot claim jobs; will retry");
                    0
                }
            };
            if ran == 0 {
                tokio::select! {
                    _ = tokio::time::sleep(config.poll) => {}
                    _ = shutdown.changed() => {}
                }
            }
        }
        tracing::info!(worker = %config.id, "job worker stopped");
    })
}

/// Claims one batch of due jobs and runs it to the end; returns how many ran.
pub async fn run_due(
    desk: &Desk,
    registry: &Arc<Registry>,
    config: &WorkerConfig,
) -> Result<usize, StoreError> {
    let now = desk.now().as_micros();
    let lease = i64::try_from(config.lease.as_micros()).unwrap_or(i64::MAX);
    let limit = i64::try_from(config.concurrency.max(1)).unwrap_or(1);
    let mut tx = desk.store().begin().await?;
    let jobs = tx.conn().claim_jobs(&config.id, now, lease, limit).await?;
    tx.commit().await?;
    let count = jobs.len();
    let mut running = JoinSet::new();
    for job in jobs {
        let (desk, registry, config) = (desk.clone(), registry.clone(), config.clone());
        let span =
            tracing::info_span!("job", id = job.id, kind = %job.kind, attempt = job.attempts);
        running.spawn(async move { run_one(desk, &registry, &config, job).await }.instrument(span));
    }
    while running.join_next().await.is_some() {}
    Ok(count)
}

async fn run_one(desk: Desk, registry: &Registry, config: &WorkerConfig, job: JobRow) {
    let lease = Lease {
        job_id: job.id,
        worker: config.id.clone(),
        attempt: job.attempts,
    };
    let (kind, attempt) = (job.kind.clone(), job.attempts);
    let mut ctx = JobContext {
        desk: desk.clone(),
        job,
        lease: lease.clone(),
        began: false,
    };
    let work = async {
        match registry.handlers.get(&kind) {
            Some(handler) => {
                match tokio::time::timeout(config.timeout, handler.run(&mut ctx)).await {
                    Ok(outcome) => outcome,
                    Err(_) => Err(JobError::Retry(format!(
                        "took longer than {:?}",
                        config.timeout
                    ))),
                }
            }
            // A newer node may have queued a kind this one does not know yet.
            None => Err(JobError::Retry(format!(
                "no handler for job kind {kind:?} on this node"
            ))),
        }
    };
    let outcome = renewing(&desk, &lease, config.lease, work).await;
    let began = ctx.began;
    let now = desk.now().as_micros();
    let recorded = match &outcome {
        Ok(()) if began => Ok(true),
        Ok(()) => finish(&desk, &lease, now).await,
        Err(JobError::LeaseLost) => Ok(false),
        Err(e) => {
            let retry_at = match e {
                JobError::Retry(_) if attempt < ctx.job.max_attempts => {
                    Some(now + backoff(config, attempt))
                }
                _ => None,
            };
            fail(&desk, &lease, &e.to_string(), retry_at, now).await
        }
    };
    match (&outcome, recorded) {
        (Ok(()), Ok(true)) => tracing::debug!("job done"),
        (Err(e), Ok(true)) => tracing::warn!(error = %e, "job failed"),
        (_, Ok(false)) => tracing::warn!("job's lease ran out; another worker has it"),
        (_, Err(e)) => {
            tracing::warn!(error = %e, "cannot record the job's outcome; it runs again when its lease ends")
        }
    }
}

/// Runs `work` while renewing `lease` every third of its length; stops it if the lease is
/// lost, since another worker may run the job then.
async fn renewing(
    desk: &Desk,
    lease: &Lease,
    length: Duration,
    work: impl Future<Output = Result<(), JobError>>,
) -> Result<(), JobError> {
    let micros = i64::try_from(length.as_micros()).unwrap_or(i64::MAX);
    let mut tick = tokio::time::interval(length / 3);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The first tick is immediate; the claim itself counts as the first renewal.
    tick.tick().await;
    tokio::pin!(work);
    loop {
        tokio::select! {
            outcome = &mut work => return outcome,
            _ = tick.tick() => {
                let now = desk.now().as_micros();
                match renew(desk, lease, now.saturating_add(micros), now).await {
                    Ok(true) => {}
                    Ok(false) => return Err(JobError::LeaseLost),
                    // The next tick tries again; the lease still has two thirds to run.
                    Err(e) => tracing::warn!(error = %e, "cannot renew the job's lease"),
                }
            }
        }
    }
}

async fn renew(desk: &Desk, lease: &Lease, until: i64, now: i64) -> Result<bool, StoreError> {
    let mut tx = desk.store().begin().await?;
    let held = tx.conn().renew_job(lease, until, now).await?;
    tx.commit().await?;
    Ok(held)
}

async fn finish(desk: &Desk, lease: &Lease, now: i64) -> Result<bool, StoreError> {
    let mut tx = desk.store().begin().await?;
    let done = tx.conn().finish_job(lease, now).await?;
    tx.commit().await?;
    Ok(done)
}

async fn fail(
    desk: &Desk,
    lease: &Lease,
    error: &str,
    retry_at: Option<i64>,
    now: i64,
) -> Result<bool, StoreError> {
    let mut tx = desk.store().begin().await?;
    let done = tx.conn().fail_job(lease, error, retry_at, now).await?;
    tx.commit().await?;
    Ok(done)
}

/// Delay before attempt `attempt + 1`: doubling from `backoff`, capped at `max_backoff`.
fn backoff(config: &WorkerConfig, attempt: i64) -> i64 {
    let base = i64::try_from(config.backoff.as_micros()).unwrap_or(i64::MAX);
    let cap = i64::try_from(config.max_backoff.as_micros()).unwrap_or(i64::MAX);
    let doublings = u32::try_from(attempt.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    base.saturating_mul(1_i64 << doublings).min(cap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_stops_at_the_cap() {
        let config = WorkerConfig {
            backoff: Duration::from_secs(10),
            max_backoff: Duration::from_secs(60),
            ..WorkerConfig::default()
        };
        let secs = |a| backoff(&config, a) / 1_000_000;
        assert_eq!(
            [secs(1), secs(2), secs(3), secs(4), secs(40)],
            [10, 20, 40, 60, 60]
        );
    }
}
