//! Received messages: each stored whole under its redelivery key before it is acknowledged
//! (a second copy is refused by the unique keys and the insert says so), read back for
//! ingest, and marked with what ingest made of it.

use frontline_domain::mail::{InboundMessage, InboundOutcome, InboundState};
use frontline_domain::{CommentId, InboundId, MailboxId, TicketId, Timestamp, UserId};
use sqlx::{AssertSqlSafe, FromRow};

use crate::conn::on;
use crate::{Conn, Result, StoreError};

/// A message as it arrived, before anything is read from it but its key.
#[derive(Debug, Clone)]
pub struct NewInbound {
    pub mailbox_id: Option<MailboxId>,
    /// `smtp` or `imap`.
    pub source: String,
    /// The redelivery key: `<Message-ID> sha256:…`, or `sha256:…` when there is no id.
    pub message_key: String,
    /// The Message-ID without brackets, when the message has one.
    pub message_id: Option<String>,
    pub uidvalidity: Option<i64>,
    pub uid: Option<i64>,
    pub envelope_from: Option<String>,
    pub raw: Vec<u8>,
    pub received_at: i64,
}

/// An `inbound_messages` row as stored; read out as an [`InboundMessage`].
#[derive(Debug, Clone, PartialEq, FromRow)]
pub(crate) struct InboundRow {
    id: i64,
    mailbox_id: Option<i64>,
    source: String,
    message_key: String,
    uidvalidity: Option<i64>,
    uid: Option<i64>,
    envelope_from: Option<String>,
    raw: Vec<u8>,
    size: i64,
    state: String,
    reason: Option<String>,
    sender: Option<String>,
    html: Option<String>,
    ticket_id: Option<i64>,
    comment_id: Option<i64>,
    received_at: i64,
    processed_at: Option<i64>,
    message_id: Option<String>,
    handled_by: Option<i64>,
    handled_at: Option<i64>,
}

/// A stored inbound state as the domain's; an unknown one is corrupt data.
pub(crate) fn inbound_state(text: &str) -> Result<InboundState> {
    InboundState::parse(text).map_err(|e| StoreError::corrupt("inbound_messages.state", e))
}

impl TryFrom<InboundRow> for InboundMessage {
    type Error = StoreError;

    fn try_from(r: InboundRow) -> Result<Self> {
        Ok(InboundMessage {
            id: InboundId::new(r.id),
            mailbox_id: r.mailbox_id.map(MailboxId::new),
            source: r.source,
            message_key: r.message_key,
            uidvalidity: r.uidvalidity,
            uid: r.uid,
            envelope_from: r.envelope_from,
            raw: r.raw,
            size: r.size,
            state: inbound_state(&r.state)?,
            reason: r.reason,
            sender: r.sender,
            html: r.html,
            ticket_id: r.ticket_id.map(TicketId::new),
            comment_id: r.comment_id.map(CommentId::new),
            received_at: Timestamp::from_micros(r.received_at),
            processed_at: r.processed_at.map(Timestamp::from_micros),
            message_id: r.message_id,
            handled_by: r.handled_by.map(UserId::new),
            handled_at: r.handled_at.map(Timestamp::from_micros),
        })
    }
}

const INBOUND_COLUMNS: &str = "id, mailbox_id, source, message_key, uidvalidity, uid, \
    envelope_from, raw, size, state, reason, sender, html, ticket_id, comment_id, \
    received_at, processed_at, message_id, handled_by, handled_at";

impl Conn<'_> {
    /// Stores a message; `None` when a copy of it is stored already.
    pub async fn insert_inbound(&mut self, m: &NewInbound) -> Result<Option<InboundId>> {
        const SQL: &str = "INSERT INTO inbound_messages (mailbox_id, source, message_key, \
            uidvalidity, uid, envelope_from, raw, size, received_at, message_id) \
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING RETURNING id";
        let id: Option<i64> = on!(self, |c| sqlx::query_scalar(SQL)
            .bind(m.mailbox_id.map(MailboxId::get))
            .bind(&m.source)
            .bind(&m.message_key)
            .bind(m.uidvalidity)
            .bind(m.uid)
            .bind(&m.envelope_from)
            .bind(&m.raw)
            .bind(i64::try_from(m.raw.len()).unwrap_or(i64::MAX))
            .bind(m.received_at)
            .bind(&m.message_id)
            .fetch_optional(c)
            .await?);
        Ok(id.map(InboundId::new))
    }

    /// The bytes of the message stored under exactly `message_key`, if any (a row stored
    /// before migration 0015 is keyed by its bare `<Message-ID>`).
    pub async fn inbound_raw_by_key(&mut self, message_key: &str) -> Result<Option<Vec<u8>>> {
        const SQL: &str = "SELECT raw FROM inbound_messages WHERE message_key = $1";
        Ok(on!(self, |c| sqlx::query_scalar(SQL)
            .bind(message_key)
            .fetch_optional(c)
            .await?))
    }

    /// The message, read without a lock.
    pub async fn inbound(&mut self, id: InboundId) -> Result<Option<InboundMessage>> {
        let sql = format!("SELECT {INBOUND_COLUMNS} FROM inbound_messages WHERE id = $1");
        let row: Option<InboundRow> = on!(self, |c| sqlx::query_as(AssertSqlSafe(sql))
            .bind(id.get())
            .fetch_optional(c)
            .await?);
        row.map(InboundMessage::try_from).transpose()
    }

    /// The message, locked for processing on PostgreSQL.
    pub async fn inbound_for_update(&mut self, id: InboundId) -> Result<Option<InboundMessage>> {
        let sql = format!(
            "SELECT {INBOUND_COLUMNS} FROM inbound_messages WHERE id = $1{}",
            self.for_update()
        );
        let row: Option<InboundRow> = on!(self, |c| sqlx::query_as(AssertSqlSafe(sql))
            .bind(id.get())
            .fetch_optional(c)
            .await?);
        row.map(InboundMessage::try_from).transpose()
    }

    /// The first message with this Message-ID (without brackets) that still waits for
    /// ingest and no other transaction holds: locked for this one on PostgreSQL, where a
    /// message another worker is ingesting right now is passed over instead of waited for
    /// (two workers each waiting for a message the other holds would deadlock).
    pub async fn received_inbound_by_message_id(
        &mut self,
        message_id: &str,
    ) -> Result<Option<InboundId>> {
        let lock = if self.is_postgres() {
            " FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let sql = format!(
            "SELECT id FROM inbound_messages WHERE message_id = $1 AND state = 'received' \
             ORDER BY id LIMIT 1{lock}"
        );
        let id: Option<i64> = on!(self, |c| sqlx::query_scalar(AssertSqlSafe(sql))
            .bind(message_id)
            .fetch_optional(c)
            .await?);
        Ok(id.map(InboundId::new))
    }

    /// Messages in `state`, oldest first, after id `after` (0 for the start).
    pub async fn inbound_in_state(
        &mut self,
        state: InboundState,
        after: InboundId,
        limit: i64,
    ) -> Result<Vec<InboundMessage>> {
        let sql = format!(
            "SELECT {INBOUND_COLUMNS} FROM inbound_messages WHERE state = $1 AND id > $2 \
             ORDER BY id {}",
            crate::dialect::limit(limit)
        );
        let rows: Vec<InboundRow> = on!(self, |c| sqlx::query_as(AssertSqlSafe(sql))
            .bind(state.as_str())
            .bind(after.get())
            .fetch_all(c)
            .await?);
        rows.into_iter().map(InboundMessage::try_from).collect()
    }

    /// Records what became of a message that was still `received`. False when another
    /// worker recorded it first.
    pub async fn finish_inbound(
        &mut self,
        id: InboundId,
        o: &InboundOutcome,
        now: i64,
    ) -> Result<bool> {
        const SQL: &str = "UPDATE inbound_messages SET state = $1, reason = $2, sender = $3, \
            html = $4, ticket_id = $5, comment_id = $6, processed_at = $7 \
            WHERE id = $8 AND state = 'received'";
        let n = on!(self, |c| sqlx::query(SQL)
            .bind(o.state.as_str())
            .bind(&o.reason)
            .bind(&o.sender)
            .bind(&o.html)
            .bind(o.ticket_id.map(TicketId::get))
            .bind(o.comment_id.map(CommentId::get))
            .bind(now)
            .bind(id.get())
            .execute(c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }

    /// How many of `sender`'s messages became tickets or comments since `since`.
    pub async fn recent_from_sender(&mut self, sender: &str, since: i64) -> Result<i64> {
        const SQL: &str = "SELECT COUNT(*) FROM inbound_messages WHERE sender = $1 \
            AND processed_at >= $2 AND state IN ('ticket', 'comment')";
        Ok(on!(self, |c| sqlx::query_scalar(SQL)
            .bind(sender)
            .bind(since)
            .fetch_one(c)
            .await?))
    }

    /// Counts of inbound messages by state.
    pub async fn inbound_by_state(&mut self) -> Result<Vec<(String, i64)>> {
        const SQL: &str =
            "SELECT state, COUNT(*) FROM inbound_messages GROUP BY state ORDER BY state";
        Ok(on!(self, |c| sqlx::query_as(SQL).fetch_all(c).await?))
    }
}
