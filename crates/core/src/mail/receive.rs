//! Receiving a message: its bytes are stored, with the job that will ingest it, in one
//! transaction, before the SMTP listener answers 250 or the IMAP poller flags it `\Seen`.
//! A second copy (same Message-ID, or same bytes when there is none, or the same IMAP UID)
//! is recognised here and stored no more.

use frontline_store::Conn;
use frontline_store::jobs::NewJob;
use frontline_store::mail::NewInbound;

use super::INGEST_JOB;
use crate::auth::sha256_hex;
use crate::{Desk, Result};

/// A message as it arrived.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub mailbox_id: Option<i64>,
    /// `smtp` or `imap`.
    pub source: &'static str,
    /// The folder's UIDVALIDITY and the message's UID, for IMAP.
    pub uid: Option<(i64, i64)>,
    /// The SMTP envelope sender (`MAIL FROM`), when there was one.
    pub envelope_from: Option<String>,
    pub raw: Vec<u8>,
}

/// What identifies one message however often it arrives: `<Message-ID>`, or the SHA-256 of
/// its bytes when it has none.
pub fn message_key(raw: &[u8]) -> String {
    match frontline_mail::message_id(raw) {
        Some(id) => format!("<{id}>"),
        None => format!("sha256:{}", sha256_hex(raw)),
    }
}

impl Desk {
    /// Stores the message and queues its ingestion; `None` when a copy was stored before.
    /// When this returns, the message is durable and may be acknowledged.
    pub async fn receive_mail(&self, incoming: Incoming) -> Result<Option<i64>> {
        let mut tx = self.begin().await?;
        let id = self.receive_mail_in(&mut tx.conn(), incoming).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// `receive_mail` inside the caller's transaction (the IMAP poller records how far it
    /// got in the same one).
    pub async fn receive_mail_in(
        &self,
        c: &mut Conn<'_>,
        incoming: Incoming,
    ) -> Result<Option<i64>> {
        let now = self.now().as_micros();
        let message_key = message_key(&incoming.raw);
        let row = NewInbound {
            mailbox_id: incoming.mailbox_id,
            source: incoming.source.to_owned(),
            message_key,
            uidvalidity: incoming.uid.map(|(v, _)| v),
            uid: incoming.uid.map(|(_, u)| u),
            envelope_from: incoming.envelope_from,
            raw: incoming.raw,
            received_at: now,
        };
        let Some(id) = c.insert_inbound(&row).await? else {
            tracing::info!(key = %row.message_key, source = %row.source, "a copy of this message was received before; not stored again");
            return Ok(None);
        };
        let job = NewJob {
            kind: INGEST_JOB.to_owned(),
            payload: id.to_string(),
            dedup_key: Some(format!("{INGEST_JOB}:{id}")),
            run_at: now,
            max_attempts: 10,
        };
        c.enqueue_job(&job, now).await?;
        tracing::info!(message_id = id, size = row.raw.len(), source = %row.source, "message stored");
        Ok(Some(id))
    }

    /// Stores messages fetched from mailbox `mailbox_id`'s IMAP folder, and that the folder
    /// was read through UID `through`, in one transaction: once this returns they may be
    /// flagged `\Seen`. Returns how many were new.
    pub async fn receive_imap(
        &self,
        mailbox_id: i64,
        uidvalidity: u32,
        through: u32,
        messages: Vec<(u32, Vec<u8>)>,
    ) -> Result<usize> {
        let mut tx = self.begin().await?;
        let mut c = tx.conn();
        let mut new = 0;
        for (uid, raw) in messages {
            let incoming = Incoming {
                mailbox_id: Some(mailbox_id),
                source: "imap",
                uid: Some((i64::from(uidvalidity), i64::from(uid))),
                envelope_from: None,
                raw,
            };
            if self.receive_mail_in(&mut c, incoming).await?.is_some() {
                new += 1;
            }
        }
        let now = self.now().as_micros();
        c.set_imap_position(mailbox_id, i64::from(uidvalidity), i64::from(through), now)
            .await?;
        tx.commit().await?;
        Ok(new)
    }

    /// Takes or renews the lease on polling mailbox `mailbox_id` for `owner`, for `lease`
    /// from now: with several nodes on one database, one polls each mailbox. False when
    /// another node holds a lease that has not run out.
    pub async fn lease_mailbox(
        &self,
        mailbox_id: i64,
        owner: &str,
        lease: std::time::Duration,
    ) -> Result<bool> {
        let now = self.now().as_micros();
        let until = now.saturating_add(i64::try_from(lease.as_micros()).unwrap_or(i64::MAX));
        let mut tx = self.begin().await?;
        let granted = tx
            .conn()
            .lease_mailbox(mailbox_id, owner, until, now)
            .await?;
        tx.commit().await?;
        Ok(granted)
    }

    /// Gives the mailbox's lease back if `owner` holds it (a node stopping hands its
    /// mailboxes over at once instead of when the lease runs out).
    pub async fn release_mailbox(&self, mailbox_id: i64, owner: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.conn().release_mailbox(mailbox_id, owner).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records why the mailbox's server could not be read (`None`: it works again).
    pub async fn record_mailbox_error(&self, mailbox_id: i64, error: Option<&str>) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.conn()
            .set_mailbox_error(mailbox_id, error, self.now().as_micros())
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
