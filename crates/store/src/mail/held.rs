//! Held mail: the inbound messages ingest did not turn into a ticket, comment or note
//! (`quarantined`, `ignored`), listed newest first for an admin, who may release one (it is
//! set back to `received` and ingested again in the same transaction) or discard it (state
//! `discarded`: off the list, kept whole for the record).

use frontline_domain::mail::HeldInbound;
use frontline_domain::{InboundId, MailboxId, Timestamp, UserId};
use sqlx::{AssertSqlSafe, FromRow};

use crate::conn::on;
use crate::{Conn, Result, StoreError};

/// The states an admin can release or discard from.
const HELD: &str = "('quarantined', 'ignored')";

/// How much of a message the list reads to show its sender and subject: the header
/// section, not a 25 MB attachment.
const HEAD_BYTES: i64 = 64 * 1024;

/// A held message as the list shows it: its row without the whole message, and the start
/// of the message (`head`) its headers are read from.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub(crate) struct HeldRow {
    id: i64,
    mailbox_id: Option<i64>,
    state: String,
    reason: Option<String>,
    sender: Option<String>,
    envelope_from: Option<String>,
    size: i64,
    received_at: i64,
    head: Vec<u8>,
}

impl TryFrom<HeldRow> for HeldInbound {
    type Error = StoreError;

    fn try_from(r: HeldRow) -> Result<Self> {
        Ok(HeldInbound {
            id: InboundId::new(r.id),
            mailbox_id: r.mailbox_id.map(MailboxId::new),
            state: super::inbound::inbound_state(&r.state)?,
            reason: r.reason,
            sender: r.sender,
            envelope_from: r.envelope_from,
            size: r.size,
            received_at: Timestamp::from_micros(r.received_at),
            head: r.head,
        })
    }
}

impl Conn<'_> {
    /// Held messages, newest first, at most `limit`.
    pub async fn held_inbound(&mut self, limit: i64) -> Result<Vec<HeldInbound>> {
        let sql = format!(
            "SELECT id, mailbox_id, state, reason, sender, envelope_from, size, received_at, \
             substr(raw, 1, {HEAD_BYTES}) AS head FROM inbound_messages \
             WHERE state IN {HELD} ORDER BY id DESC {}",
            crate::dialect::limit(limit)
        );
        let rows: Vec<HeldRow> = on!(self, |c| sqlx::query_as(AssertSqlSafe(sql))
            .fetch_all(c)
            .await?);
        rows.into_iter().map(HeldInbound::try_from).collect()
    }

    /// Sets a held message back to `received`, for ingest to take it again in this
    /// transaction. False when it is not held (released or discarded already, or no such).
    pub async fn reopen_inbound(&mut self, id: InboundId) -> Result<bool> {
        let sql = format!(
            "UPDATE inbound_messages SET state = 'received', reason = NULL, \
             processed_at = NULL WHERE id = $1 AND state IN {HELD}"
        );
        let n = on!(self, |c| sqlx::query(AssertSqlSafe(sql))
            .bind(id.get())
            .execute(c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }

    /// Records the admin who released the message, and when.
    pub async fn set_inbound_handled(&mut self, id: InboundId, by: UserId, at: i64) -> Result<()> {
        const SQL: &str =
            "UPDATE inbound_messages SET handled_by = $1, handled_at = $2 WHERE id = $3";
        on!(self, |c| sqlx::query(SQL)
            .bind(by.get())
            .bind(at)
            .bind(id.get())
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Takes a held message off the list for good (state `discarded`, kept whole). False
    /// when it is not held.
    pub async fn discard_inbound(&mut self, id: InboundId, by: UserId, at: i64) -> Result<bool> {
        let sql = format!(
            "UPDATE inbound_messages SET state = 'discarded', handled_by = $1, \
             handled_at = $2 WHERE id = $3 AND state IN {HELD}"
        );
        let n = on!(self, |c| sqlx::query(AssertSqlSafe(sql))
            .bind(by.get())
            .bind(at)
            .bind(id.get())
            .execute(c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }
}
