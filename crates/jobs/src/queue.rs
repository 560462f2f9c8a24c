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
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use frontline_core::Desk;
use frontline_store::jobs::{JobRow, Kinds, Lease};
use frontline_store::{Conn, StoreError, Tx};
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

/// Runs one kind of job whose every effect is in the database, inside a transaction the
/// worker opens and commits. The worker may run many such jobs in one transaction, each
/// behind its own savepoint, so that a backlog of them costs one commit per batch instead of
/// one per job; a job that fails rolls back to its savepoint and alone is retried.
pub trait TxHandler: Send + Sync {
    fn run<'a>(&'a self, desk: &'a Desk, c: &'a mut Conn<'_>, job: &'a JobRow)
    -> HandlerFuture<'a>;
}

impl<F> TxHandler for F
where
    F: for<'a, 'c> Fn(&'a Desk, &'a mut Conn<'c>, &'a JobRow) -> HandlerFuture<'a> + Send + Sync,
{
    fn run<'a>(
        &'a self,
        desk: &'a Desk,
        c: &'a mut Conn<'_>,
        job: &'a JobRow,
    ) -> HandlerFuture<'a> {
        self(desk, c, job)
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
    /// The database gave up on the transaction for contention (a deadlock, a serialization
    /// conflict, a busy SQLite): the next attempt runs after a fraction of a second, not after
    /// the usual backoff.
    #[error("{0}")]
    Contended(String),
}

impl From<StoreError> for JobError {
    fn from(e: StoreError) -> Self {
        if e.is_transient() {
            JobError::Contended(e.to_string())
        } else {
            JobError::Retry(e.to_string())
        }
    }
}

impl From<frontline_core::CoreError> for JobError {
    fn from(e: frontline_core::CoreError) -> Self {
        match e {
            frontline_core::CoreError::Store(s) => s.into(),
            other => JobError::Retry(other.to_string()),
        }
    }
}

/// What a handler gets: the desk, the job, and the transaction that finishes it.
pub struct JobContext {
    pub desk: Desk,
    pub job: JobRow,
    lease: Lease,
    /// Set once the finishing transaction has begun; see [`renewing`].
    began: Arc<AtomicBool>,
}

impl JobContext {
    /// The payload as `T`; a payload that does not parse is a permanent failure.
    pub fn payload<T: DeserializeOwned>(&self) -> Result<T, JobError> {
        payload(&self.job)
    }

    /// Begins the transaction for the job's database effects. It already marks the job done,
    /// so the effects and the completion commit together or not at all.
    pub async fn begin(&mut self) -> Result<Tx, JobError> {
        // From here the transaction may hold the job's row: no more renewals.
        self.began.store(true, Ordering::SeqCst);
        let mut tx = self.desk.store().begin().await?;
        let now = self.desk.now().as_micros();
        if !tx.conn().finish_job(&self.lease, now).await? {
            return Err(JobError::LeaseLost);
        }
        Ok(tx)
    }
}

/// A job's payload as `T`; a payload that does not parse is a permanent failure.
pub fn payload<T: DeserializeOwned>(job: &JobRow) -> Result<T, JobError> {
    serde_json::from_str(&job.payload)
        .map_err(|e| JobError::Permanent(format!("unreadable payload: {e}")))
}

/// Handlers by job kind.
#[derive(Default, Clone)]
pub struct Registry {
    handlers: HashMap<String, Arc<dyn Handler>>,
    in_tx: HashMap<String, Arc<dyn TxHandler>>,
}

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn register(mut self, kind: &str, handler: impl Handler + 'static) -> Self {
        self.handlers.insert(kind.to_owned(), Arc::new(handler));
        self
    }

    /// Registers a handler whose effects are all in the database; see [`TxHandler`].
    pub fn register_in_tx(mut self, kind: &str, handler: impl TxHandler + 'static) -> Self {
        self.in_tx.insert(kind.to_owned(), Arc::new(handler));
        self
    }

    /// The kinds run inside the worker's transactions, in a fixed order.
    fn batched_kinds(&self) -> Vec<String> {
        let mut kinds: Vec<String> = self.in_tx.keys().cloned().collect();
        kinds.sort();
        kinds
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
    /// Batches of database-only jobs run at once.
    pub concurrency: usize,
    /// Other jobs run at once, each on its own: mostly waiting on the network (a mail
    /// server, a webhook), so more of them than batches.
    pub alone: usize,
    /// Most database-only jobs of one kind run in one transaction.
    pub batch: usize,
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
            alone: 16,
            batch: 16,
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

/// Claims due jobs and runs them to the end; returns how many ran. Database-only jobs
/// (see [`TxHandler`]) are claimed up to `concurrency` batches' worth and run a batch per
/// transaction; the others up to `alone`, each on its own.
pub async fn run_due(
    desk: &Desk,
    registry: &Arc<Registry>,
    config: &WorkerConfig,
) -> Result<usize, StoreError> {
    let now = desk.now().as_micros();
    let lease = i64::try_from(config.lease.as_micros()).unwrap_or(i64::MAX);
    let concurrency = config.concurrency.max(1);
    let batch = config.batch.max(1);
    let batched = registry.batched_kinds();
    let limit = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let mut tx = desk.store().begin().await?;
    let mut c = tx.conn();
    let in_tx = c
        .claim_jobs_of(
            &config.id,
            now,
            lease,
            limit(concurrency * batch),
            Kinds::Only(&batched),
        )
        .await?;
    let alone = c
        .claim_jobs_of(
            &config.id,
            now,
            lease,
            limit(config.alone.max(1)),
            Kinds::Except(&batched),
        )
        .await?;
    tx.commit().await?;
    let count = in_tx.len() + alone.len();
    let mut running = JoinSet::new();
    for (kind, jobs) in batches(in_tx, concurrency) {
        let Some(handler) = registry.in_tx.get(&kind).cloned() else {
            continue;
        };
        let (desk, config) = (desk.clone(), config.clone());
        let span = tracing::info_span!("jobs", kind = %kind, count = jobs.len());
        running
            .spawn(async move { run_batch(desk, handler, &config, jobs).await }.instrument(span));
    }
    for job in alone {
        let (desk, registry, config) = (desk.clone(), registry.clone(), config.clone());
        let span =
            tracing::info_span!("job", id = job.id, kind = %job.kind, attempt = job.attempts);
        running.spawn(async move { run_one(desk, &registry, &config, job).await }.instrument(span));
    }
    while running.join_next().await.is_some() {}
    Ok(count)
}

/// Splits claimed jobs into batches of one kind, about evenly over `parallel` transactions,
/// each in a fixed order (by payload, then id) so that batches on different nodes lock the
/// same rows in the same order and never deadlock each other.
fn batches(mut jobs: Vec<JobRow>, parallel: usize) -> Vec<(String, Vec<JobRow>)> {
    jobs.sort_by(|a, b| (&a.kind, &a.payload, a.id).cmp(&(&b.kind, &b.payload, b.id)));
    let per = jobs.len().div_ceil(parallel.max(1)).max(1);
    let mut out: Vec<(String, Vec<JobRow>)> = Vec::new();
    for job in jobs {
        match out.last_mut() {
            Some((kind, batch)) if *kind == job.kind && batch.len() < per => batch.push(job),
            _ => out.push((job.kind.clone(), vec![job])),
        }
    }
    out
}

/// Runs database-only jobs of one kind in one transaction, each behind a savepoint. If the
/// transaction as a whole fails (a deadlock, a lost connection, a failed commit), each job
/// runs again in a transaction of its own, so one bad job never holds back the others.
async fn run_batch(
    desk: Desk,
    handler: Arc<dyn TxHandler>,
    config: &WorkerConfig,
    jobs: Vec<JobRow>,
) {
    let leases: Vec<Lease> = jobs.iter().map(|j| lease_of(j, config)).collect();
    let began = AtomicBool::new(false);
    let work = timed(config, in_one_tx(&desk, &*handler, &jobs, &leases, &began));
    let outcomes = match renewing(&desk, &leases, config.lease, &began, work).await {
        Ok(outcomes) => outcomes,
        Err(e) if jobs.len() > 1 => {
            tracing::warn!(error = %e, "a batch of jobs failed; running them one by one");
            for job in jobs {
                Box::pin(run_batch(desk.clone(), handler.clone(), config, vec![job])).await;
            }
            return;
        }
        Err(e) => vec![Err(e)],
    };
    for ((job, lease), outcome) in jobs.iter().zip(&leases).zip(outcomes) {
        let span =
            tracing::info_span!("job", id = job.id, kind = %job.kind, attempt = job.attempts);
        record(&desk, config, job, lease, outcome.map(|()| true))
            .instrument(span)
            .await;
    }
}

/// The transaction of [`run_batch`]: each job marks itself done and does its work behind a
/// savepoint; a job that fails (or whose lease is gone) rolls back to it.
async fn in_one_tx(
    desk: &Desk,
    handler: &dyn TxHandler,
    jobs: &[JobRow],
    leases: &[Lease],
    began: &AtomicBool,
) -> Result<Vec<Result<(), JobError>>, JobError> {
    began.store(true, Ordering::SeqCst);
    let mut tx = desk.store().begin().await?;
    let mut c = tx.conn();
    let mut outcomes = Vec::with_capacity(jobs.len());
    for (job, lease) in jobs.iter().zip(leases) {
        c.savepoint("job").await?;
        let outcome = async {
            if !c.finish_job(lease, desk.now().as_micros()).await? {
                return Err(JobError::LeaseLost);
            }
            handler.run(desk, &mut c, job).await
        }
        .await;
        if outcome.is_ok() {
            c.release_savepoint("job").await?;
        } else {
            c.rollback_to_savepoint("job").await?;
        }
        outcomes.push(outcome);
    }
    tx.commit().await?;
    Ok(outcomes)
}

/// `work`, failed for a retry when it runs longer than the handler timeout.
async fn timed<T>(
    config: &WorkerConfig,
    work: impl Future<Output = Result<T, JobError>>,
) -> Result<T, JobError> {
    match tokio::time::timeout(config.timeout, work).await {
        Ok(outcome) => outcome,
        Err(_) => Err(JobError::Retry(format!(
            "took longer than {:?}",
            config.timeout
        ))),
    }
}

fn lease_of(job: &JobRow, config: &WorkerConfig) -> Lease {
    Lease {
        job_id: job.id,
        worker: config.id.clone(),
        attempt: job.attempts,
    }
}

async fn run_one(desk: Desk, registry: &Registry, config: &WorkerConfig, job: JobRow) {
    let lease = lease_of(&job, config);
    let kind = job.kind.clone();
    let mut ctx = JobContext {
        desk: desk.clone(),
        job,
        lease: lease.clone(),
        began: Arc::default(),
    };
    let began = ctx.began.clone();
    let work = async {
        match registry.handlers.get(&kind) {
            Some(handler) => timed(config, handler.run(&mut ctx)).await,
            // A newer node may have queued a kind this one does not know yet.
            None => Err(JobError::Retry(format!(
                "no handler for job kind {kind:?} on this node"
            ))),
        }
    };
    let outcome = renewing(
        &desk,
        std::slice::from_ref(&lease),
        config.lease,
        &began,
        work,
    )
    .await;
    let began = began.load(Ordering::SeqCst);
    record(&desk, config, &ctx.job, &lease, outcome.map(|()| began)).await;
}

/// Records how an attempt ended: `Ok(true)` when its transaction already marked it done,
/// `Ok(false)` when it succeeded without one, or the error (retried with backoff while
/// attempts remain, else dead).
async fn record(
    desk: &Desk,
    config: &WorkerConfig,
    job: &JobRow,
    lease: &Lease,
    outcome: Result<bool, JobError>,
) {
    let now = desk.now().as_micros();
    let recorded = match &outcome {
        Ok(true) => Ok(true),
        Ok(false) => finish(desk, lease, now).await,
        Err(JobError::LeaseLost) => Ok(false),
        Err(e) => {
            let retry_at = match e {
                _ if job.attempts >= job.max_attempts => None,
                JobError::Retry(_) => Some(now + backoff(config, job.attempts)),
                JobError::Contended(_) => Some(now + soon(config, job)),
                _ => None,
            };
            fail(desk, lease, &e.to_string(), retry_at, now).await
        }
    };
    match (&outcome, recorded) {
        (Ok(_), Ok(true)) => tracing::debug!("job done"),
        (Err(e), Ok(true)) => tracing::warn!(error = %e, "job failed"),
        (_, Ok(false)) => tracing::warn!("job's lease ran out; another worker has it"),
        (_, Err(e)) => {
            tracing::warn!(error = %e, "cannot record the job's outcome; it runs again when its lease ends")
        }
    }
}

/// Runs `work` while renewing `leases` every third of their length; stops it if one is
/// lost, since another worker may run that job then.
///
/// Renewal stops once `began` is set: the transaction that finishes the jobs is open then
/// and holds their rows, which a renewal would wait for while `work` is not polled. No
/// renewal is needed from there on: a job whose lease runs out meanwhile may be taken by
/// another worker, and then the finishing transaction's lease check refuses it here.
async fn renewing<T>(
    desk: &Desk,
    leases: &[Lease],
    length: Duration,
    began: &AtomicBool,
    work: impl Future<Output = Result<T, JobError>>,
) -> Result<T, JobError> {
    let micros = i64::try_from(length.as_micros()).unwrap_or(i64::MAX);
    let mut tick = tokio::time::interval(length / 3);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The first tick is immediate; the claim itself counts as the first renewal.
    tick.tick().await;
    tokio::pin!(work);
    loop {
        tokio::select! {
            outcome = &mut work => return outcome,
            _ = tick.tick(), if !began.load(Ordering::SeqCst) => {
                // `work` may have begun since this select started; it is not polled while
                // the renewal runs, so the flag cannot change under it.
                if began.load(Ordering::SeqCst) {
                    continue;
                }
                let now = desk.now().as_micros();
                match renew(desk, leases, now.saturating_add(micros), now).await {
                    Ok(true) => {}
                    Ok(false) => return Err(JobError::LeaseLost),
                    // The next tick tries again; the leases still have two thirds to run.
                    Err(e) => tracing::warn!(error = %e, "cannot renew the job's lease"),
                }
            }
        }
    }
}

async fn renew(desk: &Desk, leases: &[Lease], until: i64, now: i64) -> Result<bool, StoreError> {
    let mut tx = desk.store().begin().await?;
    let mut held = true;
    for lease in leases {
        held &= tx.conn().renew_job(lease, until, now).await?;
    }
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

/// Delay before the next attempt of a job that lost to contention: 100 ms doubling with each
/// attempt, never more than the first ordinary retry delay, spread by up to 81 ms so that the
/// jobs of one deadlock do not meet again.
fn soon(config: &WorkerConfig, job: &JobRow) -> i64 {
    let doublings = u32::try_from(job.attempts.saturating_sub(1).clamp(0, 16)).unwrap_or(16);
    let spread = job.id.rem_euclid(10) * 9_000;
    (100_000_i64 << doublings).min(backoff(config, 1)) + spread
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

    #[test]
    fn contention_retries_soon_and_never_later_than_a_first_retry() {
        let config = WorkerConfig {
            backoff: Duration::from_secs(1),
            ..WorkerConfig::default()
        };
        let job = |id, attempts| JobRow {
            id,
            kind: "mail.ingest".into(),
            payload: "{}".into(),
            dedup_key: None,
            state: "running".into(),
            run_at: 0,
            attempts,
            max_attempts: 25,
            locked_by: None,
            locked_until: None,
            last_error: None,
            created_at: 0,
            updated_at: 0,
            finished_at: None,
        };
        let ms = |id, a| soon(&config, &job(id, a)) / 1_000;
        assert_eq!(
            [ms(10, 1), ms(10, 2), ms(10, 4), ms(10, 9)],
            [100, 200, 800, 1_000]
        );
        // Jobs that deadlocked together come back at different times.
        assert_eq!([ms(11, 1), ms(19, 1)], [109, 181]);
    }
}
