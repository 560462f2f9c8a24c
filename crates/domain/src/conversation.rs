//! What is said and done on a ticket: its comments (public replies and internal notes) with
//! their attachments, and the entries of its audit trail.
//!
//! Each noun comes as a record (its own fields, as written) and, where people read it with
//! names joined in, a value that carries the record and those names, as [`crate::Ticket`]
//! carries a [`crate::TicketRecord`].

use crate::{
    AttachmentId, CommentId, Email, EventId, EventKind, Role, TicketId, Timestamp, UserId,
};

/// A comment's own fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentRecord {
    /// 0 before it is first stored.
    pub id: CommentId,
    pub ticket_id: TicketId,
    pub author_id: UserId,
    pub body: String,
    /// An internal note, never shown to requesters.
    pub internal: bool,
    /// The ticket it was written on; differs from `ticket_id` after a merge.
    pub source_ticket_id: TicketId,
    pub created_at: Timestamp,
}

/// A comment as people read it: with its author and its files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub record: CommentRecord,
    pub author_email: Email,
    pub author_name: String,
    pub author_role: Role,
    /// In upload order.
    pub attachments: Vec<Attachment>,
}

/// A file attached to a comment. Its content is stored once per SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// 0 before it is first stored.
    pub id: AttachmentId,
    pub comment_id: CommentId,
    pub ticket_id: TicketId,
    pub filename: String,
    pub content_type: String,
    /// In bytes.
    pub size: i64,
    pub sha256: String,
    pub created_at: Timestamp,
}

/// One entry of the audit trail, as written. What `field`, `old_value` and `new_value` hold
/// depends on the kind (see [`EventKind`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    /// 0 before it is stored; the database numbers entries in the order they are written.
    pub id: EventId,
    pub ticket_id: TicketId,
    /// `None` for the system (SLA timers, rules, mail).
    pub actor_id: Option<UserId>,
    pub at: Timestamp,
    pub kind: EventKind,
    pub field: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    /// Shown to staff only.
    pub internal: bool,
}

/// An entry of the audit trail as people read it: with its actor's email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub record: EventRecord,
    pub actor_email: Option<Email>,
    pub actor_name: Option<String>,
}
