//! Inbound mail inside `frontline serve`: the job that ingests each stored message, and the
//! front doors that store them (the SMTP listener, the IMAP poller). Both doors store a
//! message durably before they acknowledge it; ingesting is the job queue's business.

pub mod imap;
pub mod smtp;

use frontline_jobs::{HandlerFuture, JobContext, JobError, Registry};

/// The serve node's job handlers: the jobs crate's, and mail ingestion.
pub fn registry() -> Registry {
    frontline_jobs::registry().register(frontline_core::mail::INGEST_JOB, ingest)
}

/// Turns one stored message into its ticket, comment or note in the job's transaction, so
/// the effects and the job's completion commit together.
fn ingest(ctx: &mut JobContext) -> HandlerFuture<'_> {
    Box::pin(async move {
        let message: i64 = ctx.payload()?;
        let desk = ctx.desk.clone();
        let mut tx = ctx.begin().await?;
        desk.ingest_mail(&mut tx.conn(), message).await?;
        tx.commit().await.map_err(JobError::from)
    })
}
