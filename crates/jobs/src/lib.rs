//! Frontline's background work inside `frontline serve`: the durable job queue's worker
//! (`queue`: SLA timers, mail and notifications register handlers there) and periodic
//! housekeeping. Every housekeeping task is idempotent, so several nodes on one PostgreSQL
//! may run it at once without harm.

pub mod mail;
pub mod queue;
pub mod webhook;

pub use queue::{
    Handler, HandlerFuture, JobContext, JobError, Registry, Through, TxHandler, WorkerConfig,
    spawn_worker, through,
};

use frontline_domain::TicketId;
use std::time::Duration;

use frontline_core::jobs::{Job, JobTx};
use frontline_core::{Desk, Mail, Rules, Sla};
use queue::payload;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Every job kind this build handles.
pub fn registry() -> Registry {
    Registry::new()
        .register_in_tx(frontline_core::sla::TIMER_JOB, through(sla_timer))
        .register_in_tx(frontline_core::notify::NOTIFY_JOB, through(notify))
        .register(frontline_core::rules::WEBHOOK_JOB, webhook::call)
        .register_in_tx(frontline_core::rules::DUE_JOB, through(due_rule))
        .register_in_tx(
            frontline_core::mail::outbound::COMPOSE_JOB,
            through(mail::compose),
        )
        .register(frontline_core::mail::outbound::SEND_JOB, mail::send)
        .register_in_tx(frontline_core::mail::INGEST_JOB, through(mail::ingest))
}

/// An SLA warning or breach may have fallen due: bring the ticket's SLA state up to date in
/// the job's transaction, which records it exactly once.
fn sla_timer<'a>(sla: &'a Sla, c: &'a mut JobTx<'_>, job: &'a Job) -> HandlerFuture<'a> {
    Box::pin(async move {
        let ticket: TicketId = payload(job)?;
        sla.fire_sla_timer(c, ticket).await?;
        Ok(())
    })
}

/// A ticket's SLA due time moved behind where the time-rule scan may have got: run the rule
/// on it in the job's transaction (once per ticket and period, with the scan).
fn due_rule<'a>(rules: &'a Rules, c: &'a mut JobTx<'_>, job: &'a Job) -> HandlerFuture<'a> {
    Box::pin(async move {
        let call: frontline_core::rules::DueCall = payload(job)?;
        rules.fire_due_rule(c, &call).await?;
        Ok(())
    })
}

/// People are to be told about a ticket: their notification mail goes to the outbox and the
/// ticket's trail records who was notified and why, once (the job's transaction).
fn notify<'a>(mail: &'a Mail, c: &'a mut JobTx<'_>, job: &'a Job) -> HandlerFuture<'a> {
    Box::pin(async move {
        let n: frontline_core::notify::Notification = payload(job)?;
        mail.record_notification(c, &n).await?;
        Ok(())
    })
}

/// How often housekeeping runs.
pub const HOUSEKEEPING_EVERY: Duration = Duration::from_secs(15 * 60);

/// Starts the background worker; it stops when `shutdown` turns true.
pub fn spawn(desk: Desk, mut shutdown: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(HOUSEKEEPING_EVERY);
        let mut rules = tokio::time::interval(TIME_RULES_EVERY);
        loop {
            tokio::select! {
                _ = tick.tick() => housekeeping(&desk).await,
                _ = rules.tick() => time_rules(&desk).await,
                _ = shutdown.changed() => break,
            }
        }
        tracing::debug!("background worker stopped");
    })
}

/// How often time rules look for tickets that came of age.
pub const TIME_RULES_EVERY: Duration = Duration::from_secs(60);

/// Runs the time rules; each fires once per ticket and period however many nodes do this.
async fn time_rules(desk: &Desk) {
    match desk.rules().run_time_rules().await {
        Ok(0) => {}
        Ok(n) => tracing::info!(fired = n, "time rules fired"),
        Err(e) => tracing::warn!(error = %e, "could not run time rules; will retry"),
    }
}

async fn housekeeping(desk: &Desk) {
    match desk.jobs().expire_idempotency_keys().await {
        Ok(0) => {}
        Ok(n) => tracing::info!(expired = n, "idempotency keys expired"),
        Err(e) => tracing::warn!(error = %e, "could not expire idempotency keys; will retry"),
    }
    match desk.jobs().purge_finished_jobs().await {
        Ok(0) => {}
        Ok(n) => tracing::info!(purged = n, "finished jobs forgotten"),
        Err(e) => tracing::warn!(error = %e, "could not purge finished jobs; will retry"),
    }
}
