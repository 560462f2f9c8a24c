//! Frontline's background work inside `frontline serve`: the durable job queue's worker
//! (`queue`: SLA timers, mail and notifications register handlers there) and periodic
//! housekeeping. Every housekeeping task is idempotent, so several nodes on one PostgreSQL
//! may run it at once without harm.

pub mod queue;

pub use queue::{
    Handler, HandlerFuture, JobContext, JobError, Registry, WorkerConfig, spawn_worker,
};

use std::time::Duration;

use frontline_core::Desk;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How often housekeeping runs.
pub const HOUSEKEEPING_EVERY: Duration = Duration::from_secs(15 * 60);

/// Starts the background worker; it stops when `shutdown` turns true.
pub fn spawn(desk: Desk, mut shutdown: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(HOUSEKEEPING_EVERY);
        loop {
            tokio::select! {
                _ = tick.tick() => housekeeping(&desk).await,
                _ = shutdown.changed() => break,
            }
        }
        tracing::debug!("background worker stopped");
    })
}

async fn housekeeping(desk: &Desk) {
    match desk.expire_idempotency_keys().await {
        Ok(0) => {}
        Ok(n) => tracing::info!(expired = n, "idempotency keys expired"),
        Err(e) => tracing::warn!(error = %e, "could not expire idempotency keys; will retry"),
    }
    match desk.purge_finished_jobs().await {
        Ok(0) => {}
        Ok(n) => tracing::info!(purged = n, "finished jobs forgotten"),
        Err(e) => tracing::warn!(error = %e, "could not purge finished jobs; will retry"),
    }
}
