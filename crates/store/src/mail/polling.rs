//! Polling a mailbox: where IMAP polling got to, the lease one node takes to poll it (so
//! two nodes do not fetch the same folder at once), and the last failure talking to its
//! server.

use crate::conn::on;
use crate::{Conn, Result};
use frontline_domain::MailboxId;

impl Conn<'_> {
    /// Where IMAP polling got to: the folder's UIDVALIDITY and the highest UID stored. The
    /// position only moves forward within one UIDVALIDITY (two nodes may poll at once).
    pub async fn set_imap_position(
        &mut self,
        mailbox_id: MailboxId,
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
            .bind(mailbox_id.get())
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
        mailbox_id: MailboxId,
        owner: &str,
        until: i64,
        now: i64,
    ) -> Result<bool> {
        const SQL: &str = "UPDATE mailboxes SET poll_owner = $1, poll_until = $2 \
            WHERE id = $3 AND (poll_owner IS NULL OR poll_owner = $1 OR poll_until < $4)";
        let n = on!(self, |c| sqlx::query(SQL)
            .bind(owner)
            .bind(until)
            .bind(mailbox_id.get())
            .bind(now)
            .execute(c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }

    /// Gives the lease back, if `owner` still holds it, so another node may poll at once.
    pub async fn release_mailbox(&mut self, mailbox_id: MailboxId, owner: &str) -> Result<()> {
        const SQL: &str = "UPDATE mailboxes SET poll_owner = NULL, poll_until = NULL \
            WHERE id = $1 AND poll_owner = $2";
        on!(self, |c| sqlx::query(SQL)
            .bind(mailbox_id.get())
            .bind(owner)
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Who polls the mailbox and until when, if anyone.
    pub async fn mailbox_lease(&mut self, mailbox_id: MailboxId) -> Result<Option<(String, i64)>> {
        const SQL: &str = "SELECT poll_owner, poll_until FROM mailboxes WHERE id = $1";
        let row: Option<(Option<String>, Option<i64>)> = on!(self, |c| sqlx::query_as(SQL)
            .bind(mailbox_id.get())
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
        mailbox_id: MailboxId,
        error: Option<&str>,
        now: i64,
    ) -> Result<()> {
        const SQL: &str = "UPDATE mailboxes SET last_error = $1, updated_at = $2 WHERE id = $3";
        on!(self, |c| sqlx::query(SQL)
            .bind(error)
            .bind(now)
            .bind(mailbox_id.get())
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }
}
