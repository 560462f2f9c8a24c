//! Claiming: the worker's loop, which claims due jobs under a lease and hands them to
//! `run` — database-only jobs in batches of one kind, the others each on its own.

use std::sync::Arc;

use frontline_core::jobs::{ClaimLimits, Claimed, Job};
use frontline_core::{CoreError, Desk};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use tracing::Instrument;

use super::run::{run_batch, run_one};
use super::{Registry, WorkerConfig};

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
) -> Result<usize, CoreError> {
    let concurrency = config.concurrency.max(1);
    let limits = ClaimLimits {
        in_tx: concurrency * config.batch.max(1),
        alone: config.alone.max(1),
    };
    let batched = registry.batched_kinds();
    let Claimed { in_tx, alone } = desk
        .jobs()
        .claim_jobs(&config.id, config.lease, &batched, limits)
        .await?;
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
            tracing::info_span!("job", id = %job.id, kind = %job.kind, attempt = job.attempts);
        running.spawn(async move { run_one(desk, &registry, &config, job).await }.instrument(span));
    }
    while running.join_next().await.is_some() {}
    Ok(count)
}

/// Splits claimed jobs into batches of one kind, about evenly over `parallel` transactions,
/// each in a fixed order (by payload, then id) so that batches on different nodes lock the
/// same rows in the same order and never deadlock each other.
fn batches(mut jobs: Vec<Job>, parallel: usize) -> Vec<(String, Vec<Job>)> {
    jobs.sort_by(|a, b| (&a.kind, &a.payload, a.id).cmp(&(&b.kind, &b.payload, b.id)));
    let per = jobs.len().div_ceil(parallel.max(1)).max(1);
    let mut out: Vec<(String, Vec<Job>)> = Vec::new();
    for job in jobs {
        match out.last_mut() {
            Some((kind, batch)) if *kind == job.kind && batch.len() < per => batch.push(job),
            _ => out.push((job.kind.clone(), vec![job])),
        }
    }
    out
}
