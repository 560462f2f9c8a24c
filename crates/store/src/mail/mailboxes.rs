//! Configured mailboxes: the address mail arrives at and is sent from, its IMAP and SMTP
//! URLs, the name it shows and whether it is in use. Polling's own columns (position, lease,
//! last error) are in `polling`.

use frontline_domain::{MailboxId, MailboxRecord, MailboxState, Timestamp};
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
            id: MailboxId::new(r.id),
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

impl Conn<'_> {
    pub async fn insert_mailbox(&mut self, m: &MailboxRecord) -> Result<MailboxId> {
        const SQL: &str = "INSERT INTO mailboxes (address, imap_url, smtp_url, state, \
            created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id";
        let id: i64 = on!(self, |c| sqlx::query_scalar(SQL)
            .bind(&m.address)
            .bind(&m.imap_url)
            .bind(&m.smtp_url)
            .bind(m.state.as_str())
            .bind(m.created_at.as_micros())
            .fetch_one(c)
            .await?);
        Ok(MailboxId::new(id))
    }

    /// Sets the name mail from the mailbox shows (`None`: the bare address); false when
    /// there is no such mailbox.
    pub async fn set_mailbox_name(
        &mut self,
        id: MailboxId,
        name: Option<&str>,
        now: i64,
    ) -> Result<bool> {
        const SQL: &str = "UPDATE mailboxes SET name = $1, updated_at = $2 WHERE id = $3";
        let n = on!(self, |c| sqlx::query(SQL)
            .bind(name)
            .bind(now)
            .bind(id.get())
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
}

/// Changing a configured mailbox (the admin console's edit and disable).
impl Conn<'_> {
    /// Replaces the mailbox's URLs; a new IMAP URL (another server or folder) reads its folder
    /// from the start again (stored Message-IDs keep a message from becoming two tickets).
    /// False when there is no such mailbox.
    pub async fn update_mailbox_urls(
        &mut self,
        id: MailboxId,
        imap_url: Option<&str>,
        smtp_url: Option<&str>,
        now: i64,
    ) -> Result<bool> {
        const SQL: &str = "UPDATE mailboxes SET \
            imap_uidvalidity = CASE WHEN imap_url IS NOT DISTINCT FROM $2 THEN imap_uidvalidity END, \
            imap_last_uid = CASE WHEN imap_url IS NOT DISTINCT FROM $2 THEN imap_last_uid ELSE 0 END, \
            imap_url = $2, smtp_url = $3, last_error = NULL, updated_at = $4 WHERE id = $1";
        let done = on!(self, |c| sqlx::query(SQL)
            .bind(id.get())
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
        id: MailboxId,
        state: MailboxState,
        now: i64,
    ) -> Result<bool> {
        let done = on!(self, |c| sqlx::query(
            "UPDATE mailboxes SET state = $2, updated_at = $3 WHERE id = $1"
        )
        .bind(id.get())
        .bind(state.as_str())
        .bind(now)
        .execute(c)
        .await?
        .rows_affected());
        Ok(done == 1)
    }
}
