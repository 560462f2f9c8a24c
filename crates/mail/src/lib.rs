//! Frontline's email channel, the parts that need no server: reading an inbound message
//! (`inbound`) into what a ticket or comment needs, telling automatic mail from people's
//! (`classify`, RFC 3834 and friends), the ticket tag in subjects (`subject`), sanitizing
//! HTML and turning it into text (`html`), and cutting quoted history and signatures off a
//! reply (`reply`).
//!
//! Everything here is a pure function of the message bytes, so it is tested on real mail
//! corpora; the IMAP poller, SMTP listener and outbox build on it.

pub mod classify;
pub mod html;
pub mod inbound;
pub mod reply;
pub mod smtp;
pub mod subject;
pub mod url;

pub use classify::Automatic;
pub use inbound::{Inbound, InboundAttachment, Mailbox, Refusal, message_id, parse};
pub use url::{ImapUrl, Security, SmtpUrl, UrlError};
