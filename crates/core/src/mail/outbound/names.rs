//! Who a message shows as its sender and recipient. A person's reply comes from them at the
//! desk, `"Ana Agent (IT Help)" <help@x.org>`; the desk's own mail from the mailbox's name;
//! the recipient is shown by their name. Names are cleaned for a header here
//! ([`display_name`]: no line breaks, bounded length) and encoded when sent; a mailbox's
//! name is checked when an administrator sets it ([`MailboxName`]).

use frontline_domain::MailboxRecord;
use frontline_domain::User;
use frontline_mail::outbound::display_name;

use frontline_domain::DomainError;

/// Longest mailbox name an administrator may set.
pub const MAX_MAILBOX_NAME: usize = 100;

/// The sender's name: the person whose reply it is, with the mailbox's name in brackets, or
/// the mailbox's name alone for the desk's automatic mail.
pub(super) fn sender(person: Option<&User>, mailbox: &MailboxRecord) -> Option<String> {
    let desk = mailbox.name.as_deref().and_then(display_name);
    let person = person.and_then(recipient);
    match (person, desk) {
        (Some(p), Some(d)) => display_name(&format!("{p} ({d})")),
        (p, d) => p.or(d),
    }
}

/// A person's name as a header shows it; none when they have no name but their address
/// (a requester the desk only knows from mail).
pub(super) fn recipient(u: &User) -> Option<String> {
    display_name(&u.name).filter(|n| !n.eq_ignore_ascii_case(u.email.as_str()))
}

/// The name a mailbox's mail shows, as the templates call the desk: its name, else its
/// address.
pub(super) fn desk(mailbox: &MailboxRecord) -> String {
    mailbox
        .name
        .as_deref()
        .and_then(display_name)
        .unwrap_or_else(|| mailbox.address.clone())
}

/// A mailbox's name as its mail shows it ("IT Help"): one line of at most
/// [`MAX_MAILBOX_NAME`] characters, parsed where an administrator gives it (the CLI, the API,
/// the console) so a bad one is refused before anything is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxName(String);

impl MailboxName {
    /// The name in `text`, trimmed; `None` for a blank one (mail shows the bare address).
    pub fn parse(text: &str) -> std::result::Result<Option<Self>, DomainError> {
        let text = text.trim();
        if text.chars().any(char::is_control) {
            return Err(DomainError::new(
                "name",
                "must be one line, without tabs or control characters",
            ));
        }
        if text.chars().count() > MAX_MAILBOX_NAME {
            return Err(DomainError::new(
                "name",
                format!("must be at most {MAX_MAILBOX_NAME} characters"),
            ));
        }
        Ok((!text.is_empty()).then(|| Self(text.to_owned())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use frontline_domain::{Email, UserId};

    use super::*;

    fn user(name: &str, email: &str) -> User {
        User {
            id: UserId::new(1),
            email: Email::from_parsed(email.to_owned()),
            name: name.into(),
            role: frontline_domain::Role::Agent,
            organization_id: None,
            password_hash: None,
            active: true,
            created_at: frontline_domain::Timestamp::from_micros(0),
        }
    }

    fn mailbox(name: Option<&str>) -> MailboxRecord {
        MailboxRecord {
            id: frontline_domain::MailboxId::new(1),
            address: "help@x.org".into(),
            imap_url: None,
            smtp_url: None,
            state: frontline_domain::MailboxState::Active,
            last_error: None,
            imap_uidvalidity: None,
            imap_last_uid: 0,
            created_at: frontline_domain::Timestamp::from_micros(0),
            updated_at: frontline_domain::Timestamp::from_micros(0),
            name: name.map(str::to_owned),
        }
    }

    #[test]
    fn replies_come_from_the_agent_at_the_desk() {
        let ana = user("Ana\r\nAgent", "ana@x.org");
        let help = mailbox(Some("IT Help"));
        assert_eq!(
            sender(Some(&ana), &help).as_deref(),
            Some("Ana Agent (IT Help)")
        );
        assert_eq!(sender(None, &help).as_deref(), Some("IT Help"));
        assert_eq!(
            sender(Some(&ana), &mailbox(None)).as_deref(),
            Some("Ana Agent")
        );
        assert_eq!(sender(None, &mailbox(Some(" \n "))), None);
        assert_eq!(desk(&mailbox(None)), "help@x.org");
        assert_eq!(recipient(&user("bob@x.org", "bob@x.org")), None);
    }

    #[test]
    fn mailbox_names_are_one_short_line() {
        let name = |t: &str| MailboxName::parse(t).map(|n| n.map(|n| n.as_str().to_owned()));
        assert_eq!(name("  IT Help ").ok(), Some(Some("IT Help".to_owned())));
        assert_eq!(name(" ").ok(), Some(None));
        assert!(name("IT\nHelp").is_err());
        assert!(name("IT\tHelp").is_err());
        let longest = "é".repeat(MAX_MAILBOX_NAME);
        assert_eq!(name(&longest).ok(), Some(Some(longest.clone())));
        let error = name(&format!("{longest}x")).expect_err("too long");
        assert_eq!(error.field, "name");
    }
}
