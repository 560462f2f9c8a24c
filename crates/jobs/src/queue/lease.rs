//! Keeping a claimed job's lease while its handler runs, so no other worker takes it over;
//! and giving the job up when the lease is lost.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use frontline_core::Desk;
use frontline_core::jobs::Lease;

use super::JobError;

/// Runs `work` while renewing `leases` every third of their length; stops it if one is
/// lost, since another worker may run that job then.
///
/// Renewal stops once `began` is set: the transaction that finishes the jobs is open then
/// and holds their rows, which a renewal would wait for while `work` is not polled. No
/// renewal is needed from there on: a job whose lease runs out meanwhile may be taken by
/// another worker, and then the finishing transaction's lease check refuses it here.
pub(super) async fn renewing<T>(
    desk: &Desk,
    leases: &[Lease],
    length: Duration,
    began: &AtomicBool,
    work: impl Future<Output = Result<T, JobError>>,
) -> Result<T, JobError> {
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
                match desk.jobs().renew_job_leases(leases, length).await {
                    Ok(true) => {}
                    Ok(false) => return Err(JobError::LeaseLost),
                    // The next tick tries again; the leases still have two thirds to run.
                    Err(e) => tracing::warn!(error = %e, "cannot renew the job's lease"),
                }
            }
        }
    }
}
