//! Sending one stored message and recording what became of it. The message is rebuilt from
//! its outbox row (names, bodies, threading) and its files read back by id, outside any
//! transaction, and handed to the mail crate (`frontline_mail::send`), which talks to the
//! SMTP server; the send job then records the outcome in its own transaction.

use frontline_domain::mail::{OutboundMail, OutboxState};
use frontline_domain::{EventId, EventKind, EventRecord, OutboxId, TicketId, Timestamp};
use frontline_mail::SmtpUrl;
use frontline_mail::outbound::{Outgoing, SendError};

use super::{Attempt, files};
use crate::{Actor, CoreError, Mail, Result};
use frontline_store::Conn;

impl Mail {
    /// Tries to send stored message `id` once. Reads and sends outside any transaction; the
    /// caller records the outcome with [`Mail::finish_mail`].
    pub async fn send_mail(&self, id: OutboxId) -> Result<Attempt> {
        let (row, mailbox, attachments) = {
            let mut pc = self.core.store.read().await?;
            let mut c = pc.conn();
            let Some(row) = c.outbox(id).await? else {
                return Ok(Attempt::Finished);
            };
            if row.state != OutboxState::Queued {
                return Ok(Attempt::Finished);
            }
            let mailbox = c
                .mailboxes()
                .await?
                .into_iter()
                .find(|m| m.id == row.mailbox_id);
            let attachments = files::load(&mut c, id, row.attachment_ids.as_deref()).await?;
            (row, mailbox, attachments)
        };
        let Some(url) = mailbox.and_then(|m| m.smtp_url) else {
            return Ok(Attempt::Transient(
                "the mailbox no longer sends mail (no SMTP server configured)".into(),
            ));
        };
        let url = SmtpUrl::parse(&url)
            .map_err(|e| CoreError::Internal(format!("mailbox {}: {e}", row.mailbox_id)))?;
        let outgoing = Outgoing {
            from: row.sender.clone(),
            from_name: row.sender_name.clone(),
            to: row.recipients.lines().map(str::to_owned).collect(),
            to_name: row.recipient_name.clone(),
            subject: row.subject.clone(),
            message_id: row.message_id.clone(),
            in_reply_to: row.in_reply_to.clone(),
            references: row
                .refs
                .as_deref()
                .map(|r| r.lines().map(str::to_owned).collect())
                .unwrap_or_default(),
            auto_submitted: row.auto_submitted.clone(),
            text: row.body_text.clone(),
            html: row.body_html.clone(),
            attachments,
        };
        Ok(
            match frontline_mail::send::send_outgoing(&url, &outgoing).await {
                Ok(()) => Attempt::Sent,
                Err(SendError::Permanent(e)) => Attempt::Permanent(e),
                Err(SendError::Transient(e)) => Attempt::Transient(e),
            },
        )
    }

    /// Records what became of message `id` in the caller's (the send job's) transaction: sent,
    /// or failed for good with a `mail_failed` event on its ticket.
    pub async fn finish_mail(
        &self,
        c: &mut Conn<'_>,
        id: OutboxId,
        attempt: &Attempt,
    ) -> Result<()> {
        let now = self.core.now().as_micros();
        match attempt {
            Attempt::Sent => {
                c.finish_outbox(id, OutboxState::Sent, None, now).await?;
            }
            Attempt::Finished => {}
            Attempt::Permanent(why) | Attempt::Transient(why) => {
                if !c
                    .finish_outbox(id, OutboxState::Failed, Some(why), now)
                    .await?
                {
                    return Ok(());
                }
                let Some(row) = c.outbox(id).await? else {
                    return Ok(());
                };
                tracing::warn!(outbox_id = %id, ticket_id = row.ticket_id.map(TicketId::get), error = %why, "mail failed for good");
                if let Some(ticket_id) = row.ticket_id {
                    c.insert_event(&EventRecord {
                        id: EventId::default(),
                        ticket_id,
                        actor_id: None,
                        at: Timestamp::from_micros(now),
                        kind: EventKind::MailFailed,
                        field: Some(row.kind.clone()),
                        old_value: Some(row.recipients.clone()),
                        new_value: Some(why.clone()),
                        internal: true,
                    })
                    .await?;
                }
            }
        }
        Ok(())
    }

    /// Counts a failed attempt that will be tried again, with its reason, on the message.
    pub async fn note_mail_attempt(&self, id: OutboxId, error: &str) -> Result<()> {
        let mut tx = self.core.begin().await?;
        tx.conn()
            .outbox_attempted(id, Some(error), self.core.now().as_micros())
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Outbound messages by state, for metrics.
    pub async fn outbox_by_state(&self) -> Result<Vec<(String, i64)>> {
        let mut c = self.core.store.read().await?;
        Ok(c.conn().outbox_by_state().await?)
    }

    /// A ticket's outbound mail, oldest first. For agents.
    pub async fn ticket_mail(
        &self,
        actor: &Actor,
        ticket_id: TicketId,
    ) -> Result<Vec<OutboundMail>> {
        if !actor.is_staff() {
            return Err(CoreError::forbidden(
                "only agents see a ticket's outgoing mail",
            ));
        }
        let mut c = self.core.store.read().await?;
        Ok(c.conn().outbox_of_ticket(ticket_id).await?)
    }
}
