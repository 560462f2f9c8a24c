//! Frontline's email channel below the desk: reading an inbound message (`inbound`) into what
//! a ticket or comment needs, telling automatic mail from people's (`classify`, RFC 3834 and
//! friends), the ticket tag in subjects (`subject`), sanitizing HTML and turning it into text
//! (`html`), cutting quoted history and signatures off a reply (`reply`), the mailbox server
//! URLs an administrator configures (`url`), outgoing mail put into MIME (`outbound`) and
//! sent to the mailbox's SMTP server (`send`), and the two doors mail comes in by: the
//! receiving side of SMTP (`smtp`) and an IMAP folder reader (`imap`, over `tls`).
//!
//! The message functions are pure functions of the bytes, tested on real mail corpora. The
//! doors know nothing of the desk: the caller says what is a mailbox and what "stored" means
//! (`frontline serve` wires them to `frontline_core::mail`).

mod charset;
pub mod classify;
pub mod html;
pub mod imap;
pub mod inbound;
mod names;
pub mod outbound;
mod parts;
mod repair;
pub mod reply;
pub mod send;
pub mod smtp;
pub mod subject;
mod tls;
pub mod url;
mod words;

pub use classify::Automatic;
pub use inbound::{Inbound, InboundAttachment, Mailbox, Refusal, message_id, parse};
pub use url::{ImapUrl, Security, SmtpUrl, UrlError};
