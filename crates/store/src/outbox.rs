//! Outbound mail's rows: each message rendered once and kept with its Message-ID until it is
//! sent (or has failed for good), and the mail templates an administrator changed.
//!
//! A message is written with the `mail.send` job that delivers it, in one transaction; the
//! job then marks it sent or failed. Only a message still `queued` changes state, so a job
//! that runs twice records its outcome once.

use frontline_domain::mail::{OutboundMail, OutboxState, SavedTemplate};
use frontline_domain::{CommentId, MailboxId, OutboxId, TicketId, Timestamp, UserId};
use sqlx::{AssertSqlSafe, FromRow};

use crate::conn::on;
use crate::{Conn, Result, StoreError};

/// An `outbox` row as stored; read out as an [`OutboundMail`].
#[derive(Debug, Clone, PartialEq, FromRow)]
pub(crate) struct OutboxRow {
    id: i64,
    ticket_id: Option<i64>,
    kind: String,
    mailbox_id: i64,
    sender: String,
    recipients: String,
    subject: String,
    message_id: String,
    in_reply_to: Option<String>,
    refs: Option<String>,
    auto_submitted: Option<String>,
    body_text: String,
    body_html: Option<String>,
    state: String,
    attempts: i64,
    last_error: Option<String>,
    created_at: i64,
    updated_at: i64,
    sent_at: Option<i64>,
    sender_name: Option<String>,
    recipient_name: Option<String>,
    attachment_ids: Option<String>,
}

impl TryFrom<OutboxRow> for OutboundMail {
    type Error = StoreError;

    fn try_from(r: OutboxRow) -> Result<Self> {
        Ok(OutboundMail {
            id: OutboxId::new(r.id),
            ticket_id: r.ticket_id.map(TicketId::new),
            kind: r.kind,
            mailbox_id: MailboxId::new(r.mailbox_id),
            sender: r.sender,
            recipients: r.recipients,
            subject: r.subject,
            message_id: r.message_id,
            in_reply_to: r.in_reply_to,
            refs: r.refs,
            auto_submitted: r.auto_submitted,
            body_text: r.body_text,
            body_html: r.body_html,
            state: OutboxState::parse(&r.state)
                .map_err(|e| StoreError::corrupt("outbox.state", e))?,
            attempts: r.attempts,
            last_error: r.last_error,
            created_at: Timestamp::from_micros(r.created_at),
            updated_at: Timestamp::from_micros(r.updated_at),
            sent_at: r.sent_at.map(Timestamp::from_micros),
            sender_name: r.sender_name,
            recipient_name: r.recipient_name,
            attachment_ids: r.attachment_ids,
        })
    }
}

const COLUMNS: &str = "id, ticket_id, kind, mailbox_id, sender, recipients, subject, \
    message_id, in_reply_to, refs, auto_submitted, body_text, body_html, state, attempts, \
    last_error, created_at, updated_at, sent_at, sender_name, recipient_name, attachment_ids";

/// A `mail_templates` row as stored; read out as a [`SavedTemplate`].
#[derive(Debug, Clone, PartialEq, FromRow)]
pub(crate) struct TemplateRow {
    name: String,
    subject: String,
    body_text: String,
    body_html: String,
    updated_by: Option<i64>,
    updated_at: i64,
}

impl From<TemplateRow> for SavedTemplate {
    fn from(r: TemplateRow) -> Self {
        SavedTemplate {
            name: r.name,
            subject: r.subject,
            body_text: r.body_text,
            body_html: r.body_html,
            updated_by: r.updated_by.map(UserId::new),
            updated_at: Timestamp::from_micros(r.updated_at),
        }
    }
}

impl Conn<'_> {
    /// Stores a rendered message (`id`, `state`, `attempts` and the times are set here).
    pub async fn insert_outbox(&mut self, m: &OutboundMail, now: i64) -> Result<OutboxId> {
        const SQL: &str = "INSERT INTO outbox (ticket_id, kind, mailbox_id, sender, \
            recipients, subject, message_id, in_reply_to, refs, auto_submitted, body_text, \
            body_html, state, attempts, created_at, updated_at, sender_name, recipient_name, \
            attachment_ids) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
            'queued', 0, $13, $13, $14, $15, $16) RETURNING id";
        let id: i64 = on!(self, |c| sqlx::query_scalar(SQL)
            .bind(m.ticket_id.map(TicketId::get))
            .bind(&m.kind)
            .bind(m.mailbox_id.get())
            .bind(&m.sender)
            .bind(&m.recipients)
            .bind(&m.subject)
            .bind(&m.message_id)
            .bind(&m.in_reply_to)
            .bind(&m.refs)
            .bind(&m.auto_submitted)
            .bind(&m.body_text)
            .bind(&m.body_html)
            .bind(now)
            .bind(&m.sender_name)
            .bind(&m.recipient_name)
            .bind(&m.attachment_ids)
            .fetch_one(c)
            .await?);
        Ok(OutboxId::new(id))
    }

    pub async fn outbox(&mut self, id: OutboxId) -> Result<Option<OutboundMail>> {
        let sql = format!("SELECT {COLUMNS} FROM outbox WHERE id = $1");
        let row: Option<OutboxRow> = on!(self, |c| sqlx::query_as(AssertSqlSafe(sql))
            .bind(id.get())
            .fetch_optional(c)
            .await?);
        row.map(OutboundMail::try_from).transpose()
    }

    /// A ticket's messages, oldest first.
    pub async fn outbox_of_ticket(&mut self, ticket_id: TicketId) -> Result<Vec<OutboundMail>> {
        let sql = format!("SELECT {COLUMNS} FROM outbox WHERE ticket_id = $1 ORDER BY id");
        let rows: Vec<OutboxRow> = on!(self, |c| sqlx::query_as(AssertSqlSafe(sql))
            .bind(ticket_id.get())
            .fetch_all(c)
            .await?);
        rows.into_iter().map(OutboundMail::try_from).collect()
    }

    /// Counts of outbound messages by state.
    pub async fn outbox_by_state(&mut self) -> Result<Vec<(String, i64)>> {
        const SQL: &str = "SELECT state, COUNT(*) FROM outbox GROUP BY state ORDER BY state";
        Ok(on!(self, |c| sqlx::query_as(SQL).fetch_all(c).await?))
    }

    /// Counts an attempt at sending and what went wrong (`None` when nothing did yet).
    pub async fn outbox_attempted(
        &mut self,
        id: OutboxId,
        error: Option<&str>,
        now: i64,
    ) -> Result<()> {
        const SQL: &str = "UPDATE outbox SET attempts = attempts + 1, last_error = $1, \
            updated_at = $2 WHERE id = $3 AND state = 'queued'";
        on!(self, |c| sqlx::query(SQL)
            .bind(error)
            .bind(now)
            .bind(id.get())
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Ends a queued message as `sent` or `failed`; false when it had ended before.
    pub async fn finish_outbox(
        &mut self,
        id: OutboxId,
        state: OutboxState,
        error: Option<&str>,
        now: i64,
    ) -> Result<bool> {
        const SQL: &str = "UPDATE outbox SET state = $1, attempts = attempts + 1, \
            last_error = $2, updated_at = $3, \
            sent_at = CASE WHEN $1 = 'sent' THEN $3 ELSE NULL END \
            WHERE id = $4 AND state = 'queued'";
        let n = on!(self, |c| sqlx::query(SQL)
            .bind(state.as_str())
            .bind(error)
            .bind(now)
            .bind(id.get())
            .execute(c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }

    /// The Message-IDs of a ticket's thread, oldest first: what Frontline received and sent.
    pub async fn thread_message_ids(
        &mut self,
        ticket_id: TicketId,
        limit: i64,
    ) -> Result<Vec<String>> {
        let sql = format!(
            "SELECT message_id FROM (SELECT message_id, created_at FROM mail_threads \
             WHERE ticket_id = $1 ORDER BY created_at DESC, message_id {}) t \
             ORDER BY created_at, message_id",
            crate::dialect::limit(limit)
        );
        Ok(on!(self, |c| sqlx::query_scalar(AssertSqlSafe(
            sql.clone()
        ))
        .bind(ticket_id.get())
        .fetch_all(c)
        .await?))
    }

    pub async fn mail_templates(&mut self) -> Result<Vec<SavedTemplate>> {
        const SQL: &str = "SELECT name, subject, body_text, body_html, updated_by, updated_at \
            FROM mail_templates ORDER BY name";
        let rows: Vec<TemplateRow> = on!(self, |c| sqlx::query_as(SQL).fetch_all(c).await?);
        Ok(rows.into_iter().map(SavedTemplate::from).collect())
    }

    /// Saves an administrator's version of a template, replacing an earlier one.
    pub async fn put_mail_template(&mut self, t: &SavedTemplate) -> Result<()> {
        const SQL: &str = "INSERT INTO mail_templates (name, subject, body_text, body_html, \
            updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name) DO \
            UPDATE SET subject = excluded.subject, body_text = excluded.body_text, \
            body_html = excluded.body_html, updated_by = excluded.updated_by, \
            updated_at = excluded.updated_at";
        on!(self, |c| sqlx::query(SQL)
            .bind(&t.name)
            .bind(&t.subject)
            .bind(&t.body_text)
            .bind(&t.body_html)
            .bind(t.updated_by.map(UserId::get))
            .bind(t.updated_at.as_micros())
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Drops an administrator's version: the shipped template applies again. False when
    /// there was none.
    pub async fn delete_mail_template(&mut self, name: &str) -> Result<bool> {
        let n = on!(self, |c| sqlx::query(
            "DELETE FROM mail_templates WHERE name = $1"
        )
        .bind(name)
        .execute(c)
        .await?
        .rows_affected());
        Ok(n == 1)
    }

    /// A comment as mail needs it (any ticket, notes included: the caller decides).
    pub async fn comment_row(
        &mut self,
        id: CommentId,
    ) -> Result<Option<frontline_domain::CommentRecord>> {
        const SQL: &str = "SELECT id, ticket_id, author_id, body, internal, source_ticket_id, \
            created_at FROM comments WHERE id = $1";
        let row: Option<crate::comments::CommentRow> = on!(self, |c| sqlx::query_as(SQL)
            .bind(id.get())
            .fetch_optional(c)
            .await?);
        Ok(row.map(Into::into))
    }

    /// The mailbox whose mail opened or answered the ticket first, if any did.
    pub async fn ticket_mailbox(&mut self, ticket_id: TicketId) -> Result<Option<MailboxId>> {
        const SQL: &str = "SELECT mailbox_id FROM inbound_messages WHERE ticket_id = $1 \
            AND mailbox_id IS NOT NULL ORDER BY id LIMIT 1";
        let id: Option<i64> = on!(self, |c| sqlx::query_scalar(SQL)
            .bind(ticket_id.get())
            .fetch_optional(c)
            .await?);
        Ok(id.map(MailboxId::new))
    }

    /// The stored message that opened the ticket, if mail opened it.
    pub async fn opening_message(&mut self, ticket_id: TicketId) -> Result<Option<Vec<u8>>> {
        const SQL: &str = "SELECT raw FROM inbound_messages WHERE ticket_id = $1 \
            AND state = 'ticket' ORDER BY id LIMIT 1";
        Ok(on!(self, |c| sqlx::query_scalar(SQL)
            .bind(ticket_id.get())
            .fetch_optional(c)
            .await?))
    }

    /// Whether the sender's mail was stopped as a loop (over the rate limit) since `since`.
    pub async fn sender_looping(&mut self, sender: &str, since: i64) -> Result<bool> {
        const SQL: &str = "SELECT COUNT(*) FROM inbound_messages WHERE sender = $1 \
            AND state = 'quarantined' AND reason LIKE 'rate_limited%' AND processed_at >= $2";
        let n: i64 = on!(self, |c| sqlx::query_scalar(SQL)
            .bind(sender)
            .bind(since)
            .fetch_one(c)
            .await?);
        Ok(n > 0)
    }

    /// How many automatic messages went to `recipient` since `since`.
    pub async fn automatic_mail_to(&mut self, recipient: &str, since: i64) -> Result<i64> {
        const SQL: &str = "SELECT COUNT(*) FROM outbox WHERE recipients = $1 \
            AND auto_submitted IS NOT NULL AND created_at >= $2";
        Ok(on!(self, |c| sqlx::query_scalar(SQL)
            .bind(recipient)
            .bind(since)
            .fetch_one(c)
            .await?))
    }
}
