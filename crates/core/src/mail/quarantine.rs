//! The quarantine: messages ingest held back — `quarantined` (a mail loop over the rate
//! limit, a rule of the ticket core, mail the IMAP poller could not refuse) and `ignored`
//! (automatic mail that answers no ticket, list mail, mail from the desk's own addresses) —
//! for an administrator to see, release or discard.
//!
//! Release ingests the message anyway, passing over the rules that held it back (see
//! `Desk::ingest_released`): it becomes the ticket, comment or note it would have been,
//! once (a message no longer held cannot be released again), with an internal entry in
//! that ticket's audit trail naming the admin, and the admin recorded on the message. When
//! it still cannot be ingested (unreadable, a sender that is no address) nothing changes
//! and the reason is given. Discard takes it off the list: the message is kept whole with
//! state `discarded` and the admin who discarded it, for the record; nothing deletes it
//! (retention is the operator's, as for every stored message).

use frontline_domain::MailboxRecord;
use frontline_domain::mail::{HeldInbound, InboundMessage, InboundOutcome, InboundState};
use frontline_domain::{EventKind, InboundId, MailboxId, TicketId, Timestamp};
use frontline_mail::Inbound;

use super::MAX_MESSAGE_BYTES;
use crate::tickets::Trail;
use crate::{Actor, CoreError, Mail, Permission, Result};

/// Most held messages one list shows.
pub const HELD_LIST_LIMIT: i64 = 200;

/// Longest text preview of a held message, in characters.
const PREVIEW_CHARS: usize = 5_000;

/// A held message as the list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldMail {
    pub id: InboundId,
    pub received_at: Timestamp,
    /// The address of the mailbox it came in through, when known.
    pub mailbox: Option<String>,
    /// The From address, else the envelope sender, else empty.
    pub sender: String,
    pub subject: String,
    /// Quarantined or ignored.
    pub state: InboundState,
    pub reason: String,
    pub size: i64,
}

/// One held message: its summary, its main headers and the start of its text.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldMessage {
    pub mail: HeldMail,
    /// From, To, Cc, Date, Message-ID, In-Reply-To, as the message gives them.
    pub headers: Vec<(&'static str, String)>,
    /// Plain text (never HTML), at most 5,000 characters; the raw start of the message
    /// when it cannot be read as MIME.
    pub text: String,
}

impl Mail {
    /// The held messages, newest first (at most [`HELD_LIST_LIMIT`]).
    pub async fn held_mail(&self, actor: &Actor) -> Result<Vec<HeldMail>> {
        actor.require(Permission::Quarantine)?;
        let mut pc = self.core.store.read().await?;
        let mut c = pc.conn();
        let boxes = c.mailboxes().await?;
        let rows = c.held_inbound(HELD_LIST_LIMIT).await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let head = frontline_mail::parse(&r.head, MAX_MESSAGE_BYTES).ok();
                let mailbox = address_of(&boxes, r.mailbox_id);
                summary(r, mailbox, head.as_ref())
            })
            .collect())
    }

    /// Held message `id`; not found when it is not held.
    pub async fn held_message(&self, actor: &Actor, id: InboundId) -> Result<HeldMessage> {
        actor.require(Permission::Quarantine)?;
        let mut pc = self.core.store.read().await?;
        let mut c = pc.conn();
        let row = c
            .inbound(id)
            .await?
            .filter(|r| r.state.is_held())
            .ok_or(CoreError::NotFound("quarantined message"))?;
        let mailbox = match row.mailbox_id {
            Some(_) => address_of(&c.mailboxes().await?, row.mailbox_id),
            None => None,
        };
        Ok(message(row, mailbox))
    }

    /// Ingests held message `id` anyway; what it became.
    pub async fn release_mail(&self, actor: &Actor, id: InboundId) -> Result<InboundOutcome> {
        actor.require(Permission::Quarantine)?;
        let mut tx = self.core.begin().await?;
        let mut c = tx.conn();
        let before = c
            .inbound_for_update(id)
            .await?
            .ok_or(CoreError::NotFound("quarantined message"))?;
        if !c.reopen_inbound(id).await? {
            return Err(not_held(id, before.state));
        }
        let outcome = self
            .ingest_released(&mut c, id)
            .await?
            .ok_or_else(|| CoreError::Internal(format!("message {id} was not ingested")))?;
        if outcome.state.is_held() {
            // Dropping the transaction rolls the reopening back: still held, as it was.
            return Err(CoreError::Conflict(format!(
                "message {id} still cannot be ingested: {}",
                outcome.reason.as_deref().unwrap_or("no reason given")
            )));
        }
        let now = self.core.now();
        c.set_inbound_handled(id, actor.id, now.as_micros()).await?;
        if let Some(ticket_id) = outcome.ticket_id {
            let mut trail = Trail::new(ticket_id, Some(actor.id), now);
            trail.push(
                EventKind::FieldChanged,
                Some("quarantine"),
                before.reason.clone(),
                Some(format!("message {id} released by {}", actor.email)),
                true,
            );
            trail.write(&mut c).await?;
        }
        tx.commit().await?;
        tracing::info!(message_id = %id, admin = %actor.id, state = %outcome.state, ticket_id = outcome.ticket_id.map(TicketId::get), "quarantined message released");
        Ok(outcome)
    }

    /// Takes held message `id` off the list (kept, state `discarded`).
    pub async fn discard_mail(&self, actor: &Actor, id: InboundId) -> Result<()> {
        actor.require(Permission::Quarantine)?;
        let mut tx = self.core.begin().await?;
        let mut c = tx.conn();
        let before = c
            .inbound(id)
            .await?
            .ok_or(CoreError::NotFound("quarantined message"))?;
        if !c
            .discard_inbound(id, actor.id, self.core.now().as_micros())
            .await?
        {
            return Err(not_held(id, before.state));
        }
        tx.commit().await?;
        tracing::info!(
            message_id = %id,
            admin = %actor.id,
            "quarantined message discarded"
        );
        Ok(())
    }
}

fn not_held(id: InboundId, state: InboundState) -> CoreError {
    CoreError::Conflict(format!(
        "message {id} is not in the quarantine (it is {state}): released or discarded already"
    ))
}

/// The address of mailbox `id` among `boxes`.
fn address_of(boxes: &[MailboxRecord], id: Option<MailboxId>) -> Option<String> {
    let id = id?;
    boxes.iter().find(|b| b.id == id).map(|b| b.address.clone())
}

/// The list's line for a held message; `mail` is the message as read, when it could be.
fn summary(r: HeldInbound, mailbox: Option<String>, mail: Option<&Inbound>) -> HeldMail {
    HeldMail {
        id: r.id,
        received_at: r.received_at,
        mailbox,
        sender: r
            .sender
            .or_else(|| mail.map(|m| m.from.address.clone()))
            .or(r.envelope_from)
            .unwrap_or_default(),
        subject: mail.map(|m| m.subject.clone()).unwrap_or_default(),
        state: r.state,
        reason: r.reason.unwrap_or_default(),
        size: r.size,
    }
}

fn message(row: InboundMessage, mailbox: Option<String>) -> HeldMessage {
    let parsed = frontline_mail::parse(&row.raw, MAX_MESSAGE_BYTES).ok();
    let list = |m: &[frontline_mail::Mailbox]| {
        m.iter()
            .map(|a| a.address.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (headers, text) = match &parsed {
        Some(m) => (
            vec![
                ("From", m.from.address.clone()),
                ("To", list(&m.to)),
                ("Cc", list(&m.cc)),
                (
                    "Date",
                    m.date
                        .map(|d| Timestamp::from_micros(d.saturating_mul(1_000_000)).to_rfc3339())
                        .unwrap_or_default(),
                ),
                ("Message-ID", m.message_id.clone().unwrap_or_default()),
                ("In-Reply-To", m.in_reply_to.join(" ")),
            ],
            m.text.clone(),
        ),
        None => (Vec::new(), String::from_utf8_lossy(&row.raw).into_owned()),
    };
    let text: String = text
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .take(PREVIEW_CHARS)
        .collect();
    let summary_row = HeldInbound {
        id: row.id,
        mailbox_id: row.mailbox_id,
        state: row.state,
        reason: row.reason,
        sender: row.sender,
        envelope_from: row.envelope_from,
        size: row.size,
        received_at: row.received_at,
        head: Vec::new(),
    };
    HeldMessage {
        mail: summary(summary_row, mailbox, parsed.as_ref()),
        headers: headers.into_iter().filter(|(_, v)| !v.is_empty()).collect(),
        text,
    }
}
