//! Running claimed jobs: a batch of database-only jobs of one kind in one transaction, each
//! behind a savepoint, or one other job with its [`JobContext`]; each within the handler
//! timeout, with its lease kept while it runs.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use frontline_core::Desk;
use frontline_core::jobs::{Job, Lease};
use tracing::Instrument;

use super::lease::renewing;
use super::outcome::record;
use super::{JobContext, JobError, Registry, TxHandler, WorkerConfig};

/// Runs database-only jobs of one kind in one transaction, each behind a savepoint. If the
/// transaction as a whole fails (a deadlock, a lost connection, a failed commit), each job
/// runs again in a transaction of its own, so one bad job never holds back the others.
pub(super) async fn run_batch(
    desk: Desk,
    handler: Arc<dyn TxHandler>,
    config: &WorkerConfig,
    jobs: Vec<Job>,
) {
    let leases: Vec<Lease> = jobs.iter().map(|j| Lease::of(j, &config.id)).collect();
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
            tracing::info_span!("job", id = %job.id, kind = %job.kind, attempt = job.attempts);
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
    jobs: &[Job],
    leases: &[Lease],
    began: &AtomicBool,
) -> Result<Vec<Result<(), JobError>>, JobError> {
    began.store(true, Ordering::SeqCst);
    let mut tx = desk.jobs().begin_jobs().await?;
    let mut c = tx.conn();
    let mut outcomes = Vec::with_capacity(jobs.len());
    for (job, lease) in jobs.iter().zip(leases) {
        c.begin_step().await?;
        let outcome = async {
            if !c.mark_done(lease, desk.now()).await? {
                return Err(JobError::LeaseLost);
            }
            handler.run(desk, &mut c, job).await
        }
        .await;
        if outcome.is_ok() {
            c.keep_step().await?;
        } else {
            c.undo_step().await?;
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

pub(super) async fn run_one(desk: Desk, registry: &Registry, config: &WorkerConfig, job: Job) {
    let lease = Lease::of(&job, &config.id);
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
