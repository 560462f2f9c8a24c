//! Inbound mail as the desk reads it: a stored message (`InboundMessage`, `HeldInbound` for
//! the quarantine's list), where it is (`InboundState`), and what ingesting it made of it
//! (`InboundOutcome`); outgoing mail (`OutboundMail`, `OutboxState`); and the mail
//! templates an administrator saved (`SavedTemplate`).

use crate::{CommentId, DomainError, InboundId, MailboxId, OutboxId, TicketId, Timestamp, UserId};

/// Where an inbound message is: waiting to be ingested, turned into a ticket, a comment or
/// a note, held back (`Ignored`, `Quarantined`) for an admin, or discarded by one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum InboundState {
    /// Stored and waiting for its ingest job (or released by an admin to be ingested again).
    #[default]
    Received,
    Ticket,
    Comment,
    Note,
    Ignored,
    Quarantined,
    Discarded,
}

impl InboundState {
    pub const ALL: [InboundState; 7] = [
        InboundState::Received,
        InboundState::Ticket,
        InboundState::Comment,
        InboundState::Note,
        InboundState::Ignored,
        InboundState::Quarantined,
        InboundState::Discarded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InboundState::Received => "received",
            InboundState::Ticket => "ticket",
            InboundState::Comment => "comment",
            InboundState::Note => "note",
            InboundState::Ignored => "ignored",
            InboundState::Quarantined => "quarantined",
            InboundState::Discarded => "discarded",
        }
    }

    pub fn parse(text: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| {
                DomainError::new(
                    "state",
                    "must be received, ticket, comment, note, ignored, quarantined or discarded",
                )
            })
    }

    /// Held back by ingest: an admin may release or discard it.
    pub fn is_held(self) -> bool {
        matches!(self, InboundState::Ignored | InboundState::Quarantined)
    }
}

impl std::fmt::Display for InboundState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A message as it arrived and as far as ingest got with it.
#[derive(Debug, Clone, PartialEq)]
pub struct InboundMessage {
    pub id: InboundId,
    pub mailbox_id: Option<MailboxId>,
    /// `smtp` or `imap`.
    pub source: String,
    /// The redelivery key: `<Message-ID> sha256:…`, or `sha256:…` when there is no id.
    pub message_key: String,
    pub uidvalidity: Option<i64>,
    pub uid: Option<i64>,
    pub envelope_from: Option<String>,
    pub raw: Vec<u8>,
    pub size: i64,
    pub state: InboundState,
    pub reason: Option<String>,
    pub sender: Option<String>,
    pub html: Option<String>,
    pub ticket_id: Option<TicketId>,
    pub comment_id: Option<CommentId>,
    pub received_at: Timestamp,
    pub processed_at: Option<Timestamp>,
    /// The Message-ID without brackets, when the message has one.
    pub message_id: Option<String>,
    /// The admin who released or discarded it, and when.
    pub handled_by: Option<UserId>,
    pub handled_at: Option<Timestamp>,
}

/// A held message as a list shows it: its record without the whole message, and the start
/// of the message (`head`) its headers are read from.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldInbound {
    pub id: InboundId,
    pub mailbox_id: Option<MailboxId>,
    pub state: InboundState,
    pub reason: Option<String>,
    pub sender: Option<String>,
    pub envelope_from: Option<String>,
    pub size: i64,
    pub received_at: Timestamp,
    pub head: Vec<u8>,
}

/// What became of an inbound message.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InboundOutcome {
    /// A ticket, comment or note, or ignored or quarantined.
    pub state: InboundState,
    pub reason: Option<String>,
    pub sender: Option<String>,
    pub html: Option<String>,
    pub ticket_id: Option<TicketId>,
    pub comment_id: Option<CommentId>,
}

/// Where an outgoing message is: waiting to be sent (or tried again), sent, or failed for
/// good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum OutboxState {
    #[default]
    Queued,
    Sent,
    Failed,
}

impl OutboxState {
    pub const ALL: [OutboxState; 3] = [OutboxState::Queued, OutboxState::Sent, OutboxState::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Queued => "queued",
            OutboxState::Sent => "sent",
            OutboxState::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| DomainError::new("state", "must be queued, sent or failed"))
    }
}

impl std::fmt::Display for OutboxState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One outgoing message, rendered once and kept with its Message-ID until it is sent or
/// has failed for good.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboundMail {
    pub id: OutboxId,
    pub ticket_id: Option<TicketId>,
    /// The template it was rendered from.
    pub kind: String,
    pub mailbox_id: MailboxId,
    pub sender: String,
    /// Addresses, one a line.
    pub recipients: String,
    pub subject: String,
    pub message_id: String,
    pub in_reply_to: Option<String>,
    /// Message-IDs, one a line, oldest first.
    pub refs: Option<String>,
    pub auto_submitted: Option<String>,
    pub body_text: String,
    pub body_html: Option<String>,
    pub state: OutboxState,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub sent_at: Option<Timestamp>,
    /// Display names shown with the sender and recipient addresses.
    pub sender_name: Option<String>,
    pub recipient_name: Option<String>,
    /// Ids of the attachments sent with it, one a line.
    pub attachment_ids: Option<String>,
}

/// A mail template as an administrator saved it (the shipped ones live in the code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedTemplate {
    pub name: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub updated_by: Option<UserId>,
    pub updated_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_state_and_nothing_else() {
        for s in InboundState::ALL {
            assert_eq!(InboundState::parse(s.as_str()), Ok(s));
        }
        assert!(InboundState::parse("sent").is_err());
        assert!(InboundState::Quarantined.is_held() && !InboundState::Ticket.is_held());
        for s in OutboxState::ALL {
            assert_eq!(OutboxState::parse(s.as_str()), Ok(s));
        }
        assert!(OutboxState::parse("dead").is_err());
    }
}
