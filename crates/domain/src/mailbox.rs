//! Mailboxes as the desk keeps them: an address it answers for, the IMAP and SMTP servers
//! behind it (as URL text; the mail crate parses them), whether it is in use, and how far
//! IMAP polling got.

use crate::{DomainError, MailboxId, Timestamp};

/// Whether a mailbox is in use: an `Active` one is read and answered for; a `Disabled` one is
/// kept with its settings, but its IMAP folder is no longer polled and the SMTP listener
/// refuses mail for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MailboxState {
    #[default]
    Active,
    Disabled,
}

impl MailboxState {
    pub const ALL: [MailboxState; 2] = [MailboxState::Active, MailboxState::Disabled];

    pub fn as_str(self) -> &'static str {
        match self {
            MailboxState::Active => "active",
            MailboxState::Disabled => "disabled",
        }
    }

    pub fn parse(text: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| DomainError::new("state", "must be active or disabled"))
    }
}

impl std::fmt::Display for MailboxState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A configured mailbox as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct MailboxRecord {
    pub id: MailboxId,
    pub address: String,
    /// Holds the IMAP password: never log this field.
    pub imap_url: Option<String>,
    /// May hold the SMTP password: never log this field.
    pub smtp_url: Option<String>,
    pub state: MailboxState,
    /// Why the last poll or send failed, until one succeeds.
    pub last_error: Option<String>,
    pub imap_uidvalidity: Option<i64>,
    pub imap_last_uid: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Shown with the address on mail sent from it ("IT Help").
    pub name: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_state_and_nothing_else() {
        for s in MailboxState::ALL {
            assert_eq!(MailboxState::parse(s.as_str()), Ok(s));
        }
        assert!(MailboxState::parse("paused").is_err());
    }
}
