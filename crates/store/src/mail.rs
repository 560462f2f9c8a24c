//! The email channel's rows: configured mailboxes, inbound messages stored whole before they
//! are acknowledged, and the Message-IDs that thread replies to tickets.
//!
//! An inbound message is inserted once: a second copy (the same redelivery key — Message-ID
//! and content hash, see `frontline_core::mail::receive` — or the same IMAP UID of the same
//! mailbox) is refused by the unique keys, and the insert says so instead of failing.
//! Messages ingest held back (`quarantined`, `ignored`) are listed for an admin, who may
//! release one (it is ingested again) or discard it (state `discarded`, kept whole).

mod held;

use frontline_domain::mail::{InboundMessage, InboundOutcome, InboundState};
use frontline_domain::{MailboxRecord, MailboxState, Timestamp};
use sqlx::{AssertSqlSafe, FromRow};

use crate::conn::on;
use crate::{Conn, Result, StoreError};

/// A `mailboxes` row as stored; read out as a [`MailboxRecord`].
#[derive(Debug, Clone, PartialEq, FromRow)]
pub(crate) struct MailboxRow {
    id: i64,
    address: String,
    imap_url: Option<String>,
    smtp_url: Option<String>,
    state: String,
    last_error: Option<String>,
    imap_uidvalidity: Option<i64>,
    imap_last_uid: i64,
    created_at: i64,
    updated_at: i64,
    name: Option<String>,
}

impl TryFrom<MailboxRow> for MailboxRecord {
    type Error = StoreError;

    fn try_from(r: MailboxRow) -> Result<Self> {
        Ok(MailboxRecord {
            id: r.id,
            address: r.address,
            imap_url: r.imap_url,
            smtp_url: r.smtp_url,
            state: MailboxState::parse(&r.state)
                .map_err(|e| StoreError::corrupt("mailboxes.state", e))?,
            last_error: r.last_error,
            imap_uidvalidity: r.imap_uidvalidity,
            imap_last_uid: r.imap_last_uid,
            created_at: Timestamp::from_micros(r.created_at),
            updated_at: Timestamp::from_micros(r.updated_at),
            name: r.name,
        })
    }
}

const MAILBOX_COLUMNS: &str = "id, address, imap_url, smtp_url, state, last_error, \
    imap_uidvalidity, imap_last_uid, created_at, updated_at, name";

/// A message as it arrived, before anything is read from it but its key.
#[derive(Debug, Clone)]
pub struct NewInbound {
    pub mailbox_id: Option<i64>,
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
            id: r.id,
            mailbox_id: r.mailbox_id,
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
            ticket_id: r.ticket_id,
            comment_id: r.comment_id,
            received_at: Timestamp::from_micros(r.received_at),
            processed_at: r.processed_at.map(Timestamp::from_micros),
            message_id: r.message_id,
            handled_by: r.handled_by,
            handled_at: r.handled_at.map(Timestamp::from_micros),
        })
    }
}

const INBOUND_COLUMNS: &str = "id, mailbox_id, source, message_key, uidvalidity, uid, \
    envelope_from, raw, size, state, reason, sender, html, ticket_id, comment_id, \
    received_at, processed_at, message_id, handled_by, handled_at";

impl Conn<'_> {
    pub async fn insert_mailbox(&mut self, m: &MailboxRecord) -> Result<i64> {
        const SQL: &str = "INSERT INTO mailboxes (address, imap_url, smtp_url, state, \
            created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id";
        Ok(on!(self, |c| sqlx::query_scalar(SQL)
            .bind(&m.address)
            .bind(&m.imap_url)
            .bind(&m.smtp_url)
            .bind(m.state.as_str())
            .bind(m.created_at.as_micros())
            .fetch_one(c)
            .await?))
    }

    /// Sets the name mail from the mailbox shows (`None`: the bare address); false when
    /// there is no such mailbox.
    pub async fn set_mailbox_name(
        &mut self,
        id: i64,
        name: Option<&str>,
        now: i64,
    ) -> Result<bool> {
        const SQL: &str = "UPDATE mailboxes SET name = $1, updated_at = $2 WHERE id = $3";
        let n = on!(self, |c| sqlx::query(SQL)
            .bind(name)
            .bind(now)
            .bind(id)
            .execute(c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }

    pub async fn mailboxes(&mut self) -> Result<Vec<MailboxRecord>> {
        let sql = format!("SELECT {MAILBOX_COLUMNS} FROM mailboxes ORDER BY address");
        let rows: Vec<MailboxRow> = on!(self, |c| sqlx::query_as(AssertSqlSafe(sql))
            .fetch_all(c)
            .await?);
        rows.into_iter().map(MailboxRecord::try_from).collect()
    }

    pub async fn mailbox_by_address(&mut self, address: &str) -> Result<Option<MailboxRecord>> {
        let sql = format!("SELECT {MAILBOX_COLUMNS} FROM mailboxes WHERE address = $1");
        let row: Option<MailboxRow> = on!(self, |c| sqlx::query_as(AssertSqlSafe(sql))
            .bind(address)
            .fetch_optional(c)
            .await?);
        row.map(MailboxRecord::try_from).transpose()
    }

    /// Where IMAP polling got to: the folder's UIDVALIDITY and the highest UID stored. The
    /// position only moves forward within one UIDVALIDITY (two nodes may poll at once).
    pub async fn set_imap_position(
        &mut self,
        mailbox_id: i64,
        uidvalidity: i64,
        last_uid: i64,
        now: i64,
    ) -> Result<()> {
        const SQL: &str = "UPDATE mailboxes SET imap_last_uid = CASE \
            WHEN imap_uidvalidity = $1 AND imap_last_uid > $2 THEN imap_last_uid ELSE $2 END, \
            imap_uidvalidity = $1, last_error = NULL, updated_at = $3 WHERE id = $4";
        on!(self, |c| sqlx::query(SQL)
            .bind(uidvalidity)
            .bind(last_uid)
            .bind(now)
            .bind(mailbox_id)
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Takes or renews the lease on polling the mailbox for `owner` until `until`: granted
    /// when nobody holds it, `owner` holds it, or the holder's lease ran out before `now`.
    /// False when another node holds it.
    pub async fn lease_mailbox(
        &mut self,
        mailbox_id: i64,
        owner: &str,
        until: i64,
        now: i64,
    ) -> Result<bool> {
        const SQL: &str = "UPDATE mailboxes SET poll_owner = $1, poll_until = $2 \
            WHERE id = $3 AND (poll_owner IS NULL OR poll_owner = $1 OR poll_until < $4)";
        let n = on!(self, |c| sqlx::query(SQL)
            .bind(owner)
            .bind(until)
            .bind(mailbox_id)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }

    /// Gives the lease back, if `owner` still holds it, so another node may poll at once.
    pub async fn release_mailbox(&mut self, mailbox_id: i64, owner: &str) -> Result<()> {
        const SQL: &str = "UPDATE mailboxes SET poll_owner = NULL, poll_until = NULL \
            WHERE id = $1 AND poll_owner = $2";
        on!(self, |c| sqlx::query(SQL)
            .bind(mailbox_id)
            .bind(owner)
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Who polls the mailbox and until when, if anyone.
    pub async fn mailbox_lease(&mut self, mailbox_id: i64) -> Result<Option<(String, i64)>> {
        const SQL: &str = "SELECT poll_owner, poll_until FROM mailboxes WHERE id = $1";
        let row: Option<(Option<String>, Option<i64>)> = on!(self, |c| sqlx::query_as(SQL)
            .bind(mailbox_id)
            .fetch_optional(c)
            .await?);
        Ok(match row {
            Some((Some(owner), Some(until))) => Some((owner, until)),
            _ => None,
        })
    }

    /// Records the last failure talking to the mailbox's server (`None` once it works again).
    pub async fn set_mailbox_error(
        &mut self,
        mailbox_id: i64,
        error: Option<&str>,
        now: i64,
    ) -> Result<()> {
        const SQL: &str = "UPDATE mailboxes SET last_error = $1, updated_at = $2 WHERE id = $3";
        on!(self, |c| sqlx::query(SQL)
            .bind(error)
            .bind(now)
            .bind(mailbox_id)
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Stores a message; `None` when a copy of it is stored already.
    pub async fn insert_inbound(&mut self, m: &NewInbound) -> Result<Option<i64>> {
        const SQL: &str = "INSERT INTO inbound_messages (mailbox_id, source, message_key, \
            uidvalidity, uid, envelope_from, raw, size, received_at, message_id) \
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING RETURNING id";
        Ok(on!(self, |c| sqlx::query_scalar(SQL)
            .bind(m.mailbox_id)
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
            .await?))
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
    pub async fn inbound(&mut self, id: i64) -> Result<Option<InboundMessage>> {
        let sql = format!("SELECT {INBOUND_COLUMNS} FROM inbound_messages WHERE id = $1");
        let row: Option<InboundRow> = on!(self, |c| sqlx::query_as(AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(c)
            .await?);
        row.map(InboundMessage::try_from).transpose()
    }

    /// The message, locked for processing on PostgreSQL.
    pub async fn inbound_for_update(&mut self, id: i64) -> Result<Option<InboundMessage>> {
        let sql = format!(
            "SELECT {INBOUND_COLUMNS} FROM inbound_messages WHERE id = $1{}",
            self.for_update()
        );
        let row: Option<InboundRow> = on!(self, |c| sqlx::query_as(AssertSqlSafe(sql))
            .bind(id)
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
    ) -> Result<Option<i64>> {
        let lock = if self.is_postgres() {
            " FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let sql = format!(
            "SELECT id FROM inbound_messages WHERE message_id = $1 AND state = 'received' \
             ORDER BY id LIMIT 1{lock}"
        );
        Ok(on!(self, |c| sqlx::query_scalar(AssertSqlSafe(sql))
            .bind(message_id)
            .fetch_optional(c)
            .await?))
    }

    /// Messages in `state`, oldest first, after id `after` (0 for the start).
    pub async fn inbound_in_state(
        &mut self,
        state: InboundState,
        after: i64,
        limit: i64,
    ) -> Result<Vec<InboundMessage>> {
        let sql = format!(
            "SELECT {INBOUND_COLUMNS} FROM inbound_messages WHERE state = $1 AND id > $2 \
             ORDER BY id LIMIT $3"
        );
        let rows: Vec<InboundRow> = on!(self, |c| sqlx::query_as(AssertSqlSafe(sql))
            .bind(state.as_str())
            .bind(after)
            .bind(limit)
            .fetch_all(c)
            .await?);
        rows.into_iter().map(InboundMessage::try_from).collect()
    }

    /// Records what became of a message that was still `received`. False when another
    /// worker recorded it first.
    pub async fn finish_inbound(&mut self, id: i64, o: &InboundOutcome, now: i64) -> Result<bool> {
        const SQL: &str = "UPDATE inbound_messages SET state = $1, reason = $2, sender = $3, \
            html = $4, ticket_id = $5, comment_id = $6, processed_at = $7 \
            WHERE id = $8 AND state = 'received'";
        let n = on!(self, |c| sqlx::query(SQL)
            .bind(o.state.as_str())
            .bind(&o.reason)
            .bind(&o.sender)
            .bind(&o.html)
            .bind(o.ticket_id)
            .bind(o.comment_id)
            .bind(now)
            .bind(id)
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

    /// Remembers that `message_id` belongs to `ticket_id` (`in` or `out`); a known id keeps
    /// its first ticket.
    pub async fn remember_message_id(
        &mut self,
        message_id: &str,
        ticket_id: i64,
        direction: &str,
        now: i64,
    ) -> Result<()> {
        const SQL: &str = "INSERT INTO mail_threads (message_id, ticket_id, direction, \
            created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
        on!(self, |c| sqlx::query(SQL)
            .bind(message_id)
            .bind(ticket_id)
            .bind(direction)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// The ticket of the first of `message_ids` that Frontline knows, in the order given.
    pub async fn ticket_of_message_ids(&mut self, message_ids: &[String]) -> Result<Option<i64>> {
        for id in message_ids {
            let found: Option<i64> = on!(self, |c| sqlx::query_scalar(
                "SELECT ticket_id FROM mail_threads WHERE message_id = $1"
            )
            .bind(id)
            .fetch_optional(c)
            .await?);
            if found.is_some() {
                return Ok(found);
            }
        }
        Ok(None)
    }
    /// Marks a point inside the transaction that `rollback_to_savepoint` returns to.
    pub async fn savepoint(&mut self, name: &'static str) -> Result<()> {
        self.run_savepoint_sql(format!("SAVEPOINT {name}")).await
    }

    pub async fn rollback_to_savepoint(&mut self, name: &'static str) -> Result<()> {
        self.run_savepoint_sql(format!("ROLLBACK TO SAVEPOINT {name}"))
            .await
    }

    pub async fn release_savepoint(&mut self, name: &'static str) -> Result<()> {
        self.run_savepoint_sql(format!("RELEASE SAVEPOINT {name}"))
            .await
    }

    async fn run_savepoint_sql(&mut self, sql: String) -> Result<()> {
        on!(self, |c| sqlx::raw_sql(AssertSqlSafe(sql))
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }
}

/// Changing a configured mailbox (the admin console's edit and disable).
impl Conn<'_> {
    /// Replaces the mailbox's URLs; a new IMAP URL (another server or folder) reads its folder
    /// from the start again (stored Message-IDs keep a message from becoming two tickets).
    /// False when there is no such mailbox.
    pub async fn update_mailbox_urls(
        &mut self,
        id: i64,
        imap_url: Option<&str>,
        smtp_url: Option<&str>,
        now: i64,
    ) -> Result<bool> {
        const SQL: &str = "UPDATE mailboxes SET \
            imap_uidvalidity = CASE WHEN imap_url IS NOT DISTINCT FROM $2 THEN imap_uidvalidity END, \
            imap_last_uid = CASE WHEN imap_url IS NOT DISTINCT FROM $2 THEN imap_last_uid ELSE 0 END, \
            imap_url = $2, smtp_url = $3, last_error = NULL, updated_at = $4 WHERE id = $1";
        let done = on!(self, |c| sqlx::query(SQL)
            .bind(id)
            .bind(imap_url)
            .bind(smtp_url)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected());
        Ok(done == 1)
    }

    /// Sets the mailbox's state; false when there is no such mailbox.
    pub async fn set_mailbox_state(
        &mut self,
        id: i64,
        state: MailboxState,
        now: i64,
    ) -> Result<bool> {
        let done = on!(self, |c| sqlx::query(
            "UPDATE mailboxes SET state = $2, updated_at = $3 WHERE id = $1"
        )
        .bind(id)
        .bind(state.as_str())
        .bind(now)
        .execute(c)
        .await?
        .rows_affected());
        Ok(done == 1)
    }
}
