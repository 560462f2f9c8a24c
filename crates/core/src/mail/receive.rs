//! Receiving a message: its bytes are stored, with the job that will ingest it, in one
//! transaction, before the SMTP listener answers 250 or the IMAP poller flags it `\Seen`.
//! A second copy of one message is recognised here and stored no more.
//!
//! # The redelivery key
//!
//! One message may arrive more than once: a relay retries after a lost 250, the IMAP folder
//! is read again from the start, the same mail reaches two mailboxes. Each copy carries the
//! same Message-ID, but a different message may carry it too (a client that reuses ids, a
//! forged one), and that message must not be dropped. So a message is known by
//!
//! `<Message-ID> sha256:HEX` (or `sha256:HEX` when it has no Message-ID),
//!
//! where HEX is the SHA-256 of the message as its author sent it, read as follows:
//! - the header section up to the first empty line, every field unfolded (a line starting
//!   with a space or tab continues the field before it), its name lower-cased, its value's
//!   runs of white space made one space and trimmed: a relay that re-folds headers changes
//!   nothing;
//! - without the trace fields that servers add on the way ([`TRACE_FIELDS`]: Return-Path,
//!   Received, Delivered-To, X-Original-To and their kin): a copy that came another way
//!   is still the same message;
//! - then the body with CRLF and LF alike, and trailing white space at its end dropped.
//!
//! Any other difference — another subject, sender, date or text — makes another message,
//! stored and ingested as its own ticket or comment. Rows stored before this key (migration
//! 0015) are keyed by the bare `<Message-ID>`; a new message meeting one is compared with it
//! by this same key.

use frontline_store::Conn;
use frontline_store::jobs::NewJob;
use frontline_store::mail::NewInbound;

use super::INGEST_JOB;
use crate::auth::sha256_hex;
use crate::{Mail, Result};
use frontline_domain::{InboundId, MailboxId};

/// A message as it arrived.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub mailbox_id: Option<MailboxId>,
    /// `smtp` or `imap`.
    pub source: &'static str,
    /// The folder's UIDVALIDITY and the message's UID, for IMAP.
    pub uid: Option<(i64, i64)>,
    /// The SMTP envelope sender (`MAIL FROM`), when there was one.
    pub envelope_from: Option<String>,
    pub raw: Vec<u8>,
}

/// Header fields servers add while carrying a message (RFC 5321 4.4 trace fields, and what
/// delivery agents and filters add in front): left out of the redelivery key.
pub const TRACE_FIELDS: &[&str] = &[
    "return-path",
    "received",
    "x-received",
    "delivered-to",
    "x-original-to",
    "received-spf",
    "authentication-results",
    "arc-seal",
    "arc-message-signature",
    "arc-authentication-results",
];

/// The redelivery key of a message (see the module doc).
pub fn message_key(raw: &[u8]) -> String {
    let hash = sha256_hex(&canonical(raw));
    match frontline_mail::message_id(raw) {
        Some(id) => format!("<{id}> sha256:{hash}"),
        None => format!("sha256:{hash}"),
    }
}

/// The message as the redelivery key hashes it: unfolded, normalised header fields without
/// the trace fields, an empty line, and the body with LF line ends.
fn canonical(raw: &[u8]) -> Vec<u8> {
    let (head, body) = split_head(raw);
    let mut out = Vec::with_capacity(raw.len());
    for field in unfolded(head) {
        let (name, value) = match field.iter().position(|b| *b == b':') {
            Some(i) => (&field[..i], &field[i + 1..]),
            None => (&field[..], &[][..]),
        };
        let name = String::from_utf8_lossy(name).trim().to_ascii_lowercase();
        if TRACE_FIELDS.contains(&name.as_str()) {
            continue;
        }
        out.extend_from_slice(name.as_bytes());
        out.push(b':');
        let words: Vec<&[u8]> = value
            .split(|b| b.is_ascii_whitespace())
            .filter(|w| !w.is_empty())
            .collect();
        out.extend_from_slice(&words.join(&b' '));
        out.push(b'\n');
    }
    out.push(b'\n');
    let body: Vec<u8> = body.iter().copied().filter(|b| *b != b'\r').collect();
    let end = body
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |i| i + 1);
    out.extend_from_slice(&body[..end]);
    out
}

/// The header section and the body, split at the first empty line.
fn split_head(raw: &[u8]) -> (&[u8], &[u8]) {
    let mut start = 0;
    while start < raw.len() {
        let end = raw[start..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(raw.len(), |i| start + i + 1);
        let line = &raw[start..end];
        if line == b"\n" || line == b"\r\n" {
            return (&raw[..start], &raw[end..]);
        }
        start = end;
    }
    (raw, &[])
}

/// The header fields, each with its continuation lines joined (line ends dropped).
fn unfolded(head: &[u8]) -> Vec<Vec<u8>> {
    let mut fields: Vec<Vec<u8>> = Vec::new();
    for line in head.split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        match fields.last_mut() {
            Some(last) if matches!(line[0], b' ' | b'\t') => {
                last.push(b' ');
                last.extend_from_slice(line);
            }
            _ => fields.push(line.to_vec()),
        }
    }
    fields
}

impl Mail {
    /// Stores the message and queues its ingestion; `None` when a copy was stored before.
    /// When this returns, the message is durable and may be acknowledged.
    pub async fn receive_mail(&self, incoming: Incoming) -> Result<Option<InboundId>> {
        let mut tx = self.core.begin().await?;
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
    ) -> Result<Option<InboundId>> {
        let now = self.core.now().as_micros();
        let message_key = message_key(&incoming.raw);
        let message_id = frontline_mail::message_id(&incoming.raw);
        if let Some(id) = &message_id
            && let Some(old) = c.inbound_raw_by_key(&format!("<{id}>")).await?
            && self::message_key(&old) == message_key
        {
            tracing::info!(key = %message_key, "a copy of this message was received before the redelivery key; not stored again");
            return Ok(None);
        }
        let row = NewInbound {
            mailbox_id: incoming.mailbox_id,
            source: incoming.source.to_owned(),
            message_key,
            message_id,
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
        tracing::info!(message_id = %id, size = row.raw.len(), source = %row.source, "message stored");
        Ok(Some(id))
    }

    /// Stores messages fetched from mailbox `mailbox_id`'s IMAP folder, and that the folder
    /// was read through UID `through`, in one transaction: once this returns they may be
    /// flagged `\Seen`. Returns how many were new.
    pub async fn receive_imap(
        &self,
        mailbox_id: MailboxId,
        uidvalidity: u32,
        through: u32,
        messages: Vec<(u32, Vec<u8>)>,
    ) -> Result<usize> {
        let mut tx = self.core.begin().await?;
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
        let now = self.core.now().as_micros();
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
        mailbox_id: MailboxId,
        owner: &str,
        lease: std::time::Duration,
    ) -> Result<bool> {
        let now = self.core.now().as_micros();
        let until = now.saturating_add(i64::try_from(lease.as_micros()).unwrap_or(i64::MAX));
        let mut tx = self.core.begin().await?;
        let granted = tx
            .conn()
            .lease_mailbox(mailbox_id, owner, until, now)
            .await?;
        tx.commit().await?;
        Ok(granted)
    }

    /// Gives the mailbox's lease back if `owner` holds it (a node stopping hands its
    /// mailboxes over at once instead of when the lease runs out).
    pub async fn release_mailbox(&self, mailbox_id: MailboxId, owner: &str) -> Result<()> {
        let mut tx = self.core.begin().await?;
        tx.conn().release_mailbox(mailbox_id, owner).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records why the mailbox's server could not be read (`None`: it works again).
    pub async fn record_mailbox_error(
        &self,
        mailbox_id: MailboxId,
        error: Option<&str>,
    ) -> Result<()> {
        let mut tx = self.core.begin().await?;
        tx.conn()
            .set_mailbox_error(mailbox_id, error, self.core.now().as_micros())
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAIL: &str = "From: Ana <ana@client.example>\r\nSubject: VPN down\r\n\
        Message-ID: <v1@client.example>\r\n\r\nIt drops.\r\n";

    #[test]
    fn a_redelivery_has_the_key_of_the_first_copy() {
        let first = message_key(MAIL.as_bytes());
        assert!(first.starts_with("<v1@client.example> sha256:"), "{first}");
        let relayed = format!(
            "Return-Path: <ana@client.example>\r\nReceived: from mx by desk;\r\n \
             Mon, 23 Nov 2026 09:00:00 +0000\r\nDelivered-To: help@desk.example\r\n\
             X-Original-To: help@desk.example\r\n{MAIL}"
        );
        assert_eq!(message_key(relayed.as_bytes()), first, "trace fields added");
        let refolded = MAIL
            .replace("Subject: VPN down", "Subject: VPN\r\n\tdown")
            .replace("\r\n", "\n");
        assert_eq!(
            message_key(refolded.as_bytes()),
            first,
            "re-folded, LF ends"
        );
    }

    #[test]
    fn another_message_with_the_same_id_has_another_key() {
        let first = message_key(MAIL.as_bytes());
        let other = MAIL.replace("It drops.", "Printer jammed.");
        assert_ne!(message_key(other.as_bytes()), first);
        let resubject = MAIL.replace("VPN down", "VPN up");
        assert_ne!(message_key(resubject.as_bytes()), first);
        assert!(message_key(b"Subject: x\r\n\r\nno id").starts_with("sha256:"));
    }
}
