//! The email channel's rows: configured mailboxes, inbound messages stored whole before they
//! are acknowledged, and the Message-IDs that thread replies to tickets.
//!
//! An inbound message is inserted once: a second copy (the same redelivery key — Message-ID
//! and content hash, see `frontline_core::mail::receive` — or the same IMAP UID of the same
//! mailbox) is refused by the unique keys, and the insert says so instead of failing.
//! Messages ingest held back (`quarantined`, `ignored`) are listed for an admin, who may
//! release one (it is ingested again) or discard it (state `discarded`, kept whole).
//!
//! One module a part: `mailboxes` (configured addresses), `polling` (IMAP position, the poll
//! lease, the last error), `inbound` (received messages), `held` (what an admin releases or
//! discards) and `threads` (Message-IDs to tickets).

mod held;
mod inbound;
mod mailboxes;
mod polling;
mod threads;

pub use inbound::NewInbound;
