//! The email channel's operations: the mailboxes an administrator configures (`mailboxes`),
//! inbound mail stored whole before anything acknowledges it (`receive`), and a job that
//! turns each stored message into exactly one ticket, comment or note, or records why not
//! (`ingest`); what ingest holds back waits for an admin to release or discard it
//! (`quarantine`), and what it could only hold back the SMTP listener refuses at the door
//! (`accept`). The SMTP listener and the IMAP pollers (`listen`) call `receive`; the job queue calls
//! `ingest` inside the job's transaction, so a message is processed once even when it was
//! delivered twice or the process died half-way.

mod accept;
mod ingest;
pub mod listen;
mod mailboxes;
pub mod outbound;
mod people;
mod quarantine;
mod receive;
pub mod templates;

pub use accept::Refused;
pub use frontline_domain::mail::{HeldInbound, InboundMessage, InboundOutcome, InboundState};
pub use mailboxes::{Mailbox, MailboxChange, NewMailbox};
pub use quarantine::{HeldMail, HeldMessage};
pub use receive::{Incoming, TRACE_FIELDS, message_key};

/// The job that ingests one stored message; its payload is the message's id.
pub const INGEST_JOB: &str = "mail.ingest";

/// Largest message the desk reads, in bytes; the SMTP listener refuses larger ones.
pub const MAX_MESSAGE_BYTES: usize = 25 * 1024 * 1024;

/// A sender whose mail opened or answered this many tickets within [`SENDER_WINDOW_MICROS`]
/// is quarantined until the window passes: a mail loop stops here.
pub const SENDER_LIMIT: i64 = 30;
pub const SENDER_WINDOW_MICROS: i64 = 3_600 * 1_000_000;
