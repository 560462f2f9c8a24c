//! Mail's jobs. `mail.ingest` turns one stored message into its ticket, comment or note.
//! Outbound mail has two: `mail.compose` decides and renders the mail a change causes and
//! stores each message with its `mail.send` job, all in the job's transaction.
//! `mail.send` talks to the SMTP server outside any transaction (a slow server must not hold
//! the database), then records the outcome in the job's transaction: sent; failed for good
//! (a 5xx, or the last attempt), which leaves an event on the ticket; or failed for now,
//! which the queue retries with backoff.

use frontline_core::mail::outbound::{Attempt, MailEvent};

use frontline_core::Mail;
use frontline_core::jobs::{Job, JobTx};

use crate::queue::{HandlerFuture, JobContext, JobError, payload};
use frontline_domain::{InboundId, OutboxId};

/// Turns one stored message into its ticket, comment or note in the job's transaction, so
/// the effects and the job's completion commit together. Every effect of ingest is in the
/// database (the raw message was stored before the job was queued; attachments are blobs
/// in the database; replies and notices go to the outbox as jobs), so the worker runs a
/// backlog of messages many to a transaction, each behind a savepoint.
pub fn ingest<'a>(mail: &'a Mail, c: &'a mut JobTx<'_>, job: &'a Job) -> HandlerFuture<'a> {
    Box::pin(async move {
        let message: InboundId = payload(job)?;
        mail.ingest_mail(c, message).await?;
        Ok(())
    })
}

/// Renders and stores the mail of one change, once: all in the database, so the worker
/// runs a backlog of these many to a transaction.
pub fn compose<'a>(mail: &'a Mail, c: &'a mut JobTx<'_>, job: &'a Job) -> HandlerFuture<'a> {
    Box::pin(async move {
        let event: MailEvent = payload(job)?;
        mail.compose_mail(c, &event).await?;
        Ok(())
    })
}

/// Sends one stored message and records what became of it.
pub fn send(ctx: &mut JobContext) -> HandlerFuture<'_> {
    Box::pin(async move {
        let id: OutboxId = ctx.payload()?;
        let mail: Mail = ctx.service();
        let attempt = mail.send_mail(id).await?;
        let last = ctx.job.attempts >= ctx.job.max_attempts;
        let outcome = match attempt {
            Attempt::Transient(why) if !last => {
                // The message shows why it waits; the queue tries again later.
                if let Err(e) = mail.note_mail_attempt(id, &why).await {
                    tracing::warn!(error = %e, outbox_id = %id, "cannot record the failed attempt");
                }
                return Err(JobError::Retry(why));
            }
            Attempt::Transient(why) => Attempt::Transient(format!(
                "gave up after {} attempts: {why}",
                ctx.job.attempts
            )),
            other => other,
        };
        let mut tx = ctx.begin().await?;
        mail.finish_mail(&mut tx.conn(), id, &outcome).await?;
        tx.commit().await.map_err(JobError::from)?;
        match outcome {
            Attempt::Sent => tracing::info!(outbox_id = %id, "mail sent"),
            Attempt::Permanent(why) | Attempt::Transient(why) => {
                tracing::warn!(outbox_id = %id, error = %why, "mail not delivered")
            }
            Attempt::Finished => {}
        }
        Ok(())
    })
}
