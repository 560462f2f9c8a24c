//! Inbound mail inside `frontline serve`: the job that ingests each stored message, and the
//! front doors that store them (the SMTP listener, the IMAP poller). Both doors store a
//! message durably before they acknowledge it; ingesting is the job queue's business.

pub mod imap;
pub mod smtp;

use frontline_core::Desk;
use frontline_jobs::queue::payload;
use frontline_jobs::{HandlerFuture, Registry};
use frontline_store::Conn;
use frontline_store::jobs::JobRow;

/// The serve node's job handlers: the jobs crate's, and mail ingestion.
pub fn registry() -> Registry {
    frontline_jobs::registry().register_in_tx(frontline_core::mail::INGEST_JOB, ingest)
}

/// Turns one stored message into its ticket, comment or note in the job's transaction, so
/// the effects and the job's completion commit together. Every effect of ingest is in the
/// database (the raw message was stored before the job was queued; attachments are blobs
/// in the database; replies and notices go to the outbox as jobs), so the worker runs a
/// backlog of messages many to a transaction, each behind a savepoint.
fn ingest<'a>(desk: &'a Desk, c: &'a mut Conn<'_>, job: &'a JobRow) -> HandlerFuture<'a> {
    Box::pin(async move {
        let message: i64 = payload(job)?;
        desk.ingest_mail(c, message).await?;
        Ok(())
    })
}
