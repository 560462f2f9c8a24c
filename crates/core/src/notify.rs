//! Notifications: who is told what about a ticket. Each is a durable `notify` job, queued in
//! the transaction that causes it under a dedup key, so it happens once however often its
//! cause is noticed. The handler mails each recipient (the `notification` template, through
//! the outbox) and records, in the ticket's trail, who was notified and why.

use frontline_domain::EventRecord;
use frontline_domain::{EventId, EventKind, TicketId, UserId};
use frontline_store::Conn;
use frontline_store::jobs::NewJob;
use serde::{Deserialize, Serialize};

use crate::{CoreError, Mail, Result};

/// The job kind of notifications; its payload is a [`Notification`] as JSON.
pub const NOTIFY_JOB: &str = "notify";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notification {
    pub ticket_id: TicketId,
    /// Why, e.g. `sla_breached:first_response`.
    pub reason: String,
    /// User ids, in order.
    pub recipients: Vec<UserId>,
}

/// Queues `n` unless a notification with `dedup_key` was queued before; true when queued.
pub(crate) async fn enqueue(
    c: &mut Conn<'_>,
    n: &Notification,
    dedup_key: String,
    now: i64,
) -> Result<bool> {
    let job = NewJob {
        kind: NOTIFY_JOB.to_owned(),
        payload: serde_json::to_string(n).map_err(|e| CoreError::Internal(e.to_string()))?,
        dedup_key: Some(dedup_key),
        run_at: now,
        max_attempts: 10,
    };
    Ok(c.enqueue_job(&job, now).await?.is_some())
}

impl Mail {
    /// What a `notify` job does: queues the notification mail for each recipient and records
    /// in the ticket's trail (internal) who was notified and why. Runs in the job's own
    /// transaction, so both happen once.
    pub async fn record_notification(&self, c: &mut Conn<'_>, n: &Notification) -> Result<()> {
        if c.ticket_row(n.ticket_id).await?.is_none() {
            return Err(CoreError::NotFound("ticket"));
        }
        let recipients: Vec<String> = n.recipients.iter().map(UserId::to_string).collect();
        c.insert_event(&EventRecord {
            id: EventId::default(),
            ticket_id: n.ticket_id,
            actor_id: None,
            at: self.core.now(),
            kind: EventKind::Notified,
            field: Some(n.reason.clone()),
            old_value: None,
            new_value: Some(recipients.join(",")),
            internal: true,
        })
        .await?;
        self.mail_notification(c, n).await?;
        Ok(())
    }
}
