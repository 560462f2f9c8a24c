//! What the SMTP listener refuses before it stores a message: everything ingest could only
//! quarantine, learned while the sender still waits for an answer, so the sender's server
//! bounces it to the person with the reason instead of the desk saying 250 and keeping it
//! from everyone. The checks are ingest's own: the message read as MIME within the size
//! limit, a sender whose From is an email address, and attachments within the desk's
//! limits. What ingest can still hold back afterwards — a mail loop over the rate limit, a
//! rule of the ticket core, automatic mail — waits in the quarantine for an admin.
//!
//! Mail read from an IMAP folder cannot be refused (it is there already); it is stored and
//! quarantined with the same reasons.

use frontline_domain::Email;

use super::MAX_MESSAGE_BYTES;
use crate::Mail;

/// A message refused at the door: the SMTP reply, code and enhanced status code first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

impl Mail {
    /// Why the message cannot become a ticket or comment, as the SMTP reply that says so;
    /// `None` when it may be stored.
    pub fn refusal(&self, raw: &[u8]) -> Option<Refused> {
        use frontline_mail::Refusal;
        let mail = match frontline_mail::parse(raw, MAX_MESSAGE_BYTES) {
            Ok(m) => m,
            Err(r @ Refusal::TooLarge { .. }) => return Some(Refused(format!("552 5.3.4 {r}"))),
            Err(r) => return Some(Refused(format!("550 5.6.0 {r}"))),
        };
        if Email::parse("from", &mail.from.address).is_err() {
            return Some(Refused(format!(
                "550 5.1.7 the sender {:?} (From) is not an email address",
                mail.from.address
            )));
        }
        let limits = &self.core.limits;
        if mail.attachments.len() > limits.attachments_per_comment {
            return Some(Refused(format!(
                "552 5.3.4 {} files attached; the desk takes at most {} a message",
                mail.attachments.len(),
                limits.attachments_per_comment
            )));
        }
        if let Some(big) = mail
            .attachments
            .iter()
            .find(|a| a.data.len() > limits.attachment_bytes)
        {
            return Some(Refused(format!(
                "552 5.3.4 the attached file {:?} is larger than {} bytes",
                frontline_mail::outbound::one_line(&big.filename, 100),
                limits.attachment_bytes
            )));
        }
        None
    }
}
