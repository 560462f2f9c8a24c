//! Mailboxes: an address the desk answers for, read by IMAP polling or by the SMTP listener,
//! and sent from through an SMTP server. Only administrators (or the operator's CLI) manage
//! them; their URLs hold passwords, which nothing shows.

use frontline_domain::{Email, MailboxId, MailboxRecord, MailboxState};
use frontline_mail::{ImapUrl, SmtpUrl};

use super::outbound::MailboxName;
use crate::{Actor, CoreError, Mail, Permission, Result};

#[derive(Debug, Clone)]
pub struct NewMailbox {
    pub address: Email,
    pub imap: Option<ImapUrl>,
    pub smtp: Option<SmtpUrl>,
    /// The name its mail shows ("IT Help"); none: the bare address.
    pub name: Option<MailboxName>,
}

/// A configured mailbox with its URLs parsed (their `Display` hides the passwords).
#[derive(Debug, Clone)]
pub struct Mailbox {
    pub id: MailboxId,
    pub address: String,
    /// The name its mail shows, if it has one.
    pub name: Option<String>,
    pub imap: Option<ImapUrl>,
    pub smtp: Option<SmtpUrl>,
    pub state: MailboxState,
    pub last_error: Option<String>,
    pub imap_uidvalidity: Option<i64>,
    pub imap_last_uid: i64,
}

impl Mailbox {
    fn from_record(row: MailboxRecord) -> Result<Self> {
        let corrupt =
            |e: frontline_mail::UrlError| CoreError::Internal(format!("mailbox {}: {e}", row.id));
        Ok(Self {
            imap: row
                .imap_url
                .as_deref()
                .map(ImapUrl::parse)
                .transpose()
                .map_err(corrupt)?,
            smtp: row
                .smtp_url
                .as_deref()
                .map(SmtpUrl::parse)
                .transpose()
                .map_err(corrupt)?,
            id: row.id,
            address: row.address,
            name: row.name,
            state: row.state,
            last_error: row.last_error,
            imap_uidvalidity: row.imap_uidvalidity,
            imap_last_uid: row.imap_last_uid,
        })
    }
}

impl Mail {
    /// Configures a mailbox. Over the API only admins may; the CLI acts as the operator.
    pub async fn add_mailbox(&self, actor: Option<&Actor>, new: NewMailbox) -> Result<Mailbox> {
        if let Some(a) = actor {
            a.require(Permission::Mailboxes)?;
        }
        let now = self.core.now();
        let row = MailboxRecord {
            id: MailboxId::default(),
            address: new.address.to_string(),
            imap_url: new.imap.as_ref().map(url_text_imap),
            smtp_url: new.smtp.as_ref().map(url_text_smtp),
            state: MailboxState::Active,
            last_error: None,
            imap_uidvalidity: None,
            imap_last_uid: 0,
            created_at: now,
            updated_at: now,
            name: new.name.as_ref().map(|n| n.as_str().to_owned()),
        };
        let mut tx = self.core.begin().await?;
        let id = tx
            .conn()
            .insert_mailbox(&row)
            .await
            .map_err(|e| match CoreError::from(e) {
                CoreError::Conflict(_) => CoreError::Conflict(format!(
                    "the mailbox {} is configured already",
                    row.address
                )),
                other => other,
            })?;
        if let Some(name) = &row.name {
            tx.conn()
                .set_mailbox_name(id, Some(name), now.as_micros())
                .await?;
        }
        tx.commit().await?;
        self.core.outbound.forget();
        tracing::info!(mailbox_id = %id, address = %row.address, "mailbox added");
        Mailbox::from_record(MailboxRecord { id, ..row })
    }

    /// Every configured mailbox, by address.
    pub async fn mailboxes(&self, actor: Option<&Actor>) -> Result<Vec<Mailbox>> {
        if let Some(a) = actor {
            a.require(Permission::Mailboxes)?;
        }
        let mut c = self.core.store.read().await?;
        c.conn()
            .mailboxes()
            .await?
            .into_iter()
            .map(Mailbox::from_record)
            .collect()
    }

    /// The mailbox that receives mail for `address`, if the desk has one: the SMTP listener
    /// asks at RCPT time.
    pub async fn mailbox_for(&self, address: &str) -> Result<Option<Mailbox>> {
        let mut c = self.core.store.read().await?;
        c.conn()
            .mailbox_by_address(&address.trim().to_lowercase())
            .await?
            .map(Mailbox::from_record)
            .transpose()
    }
}

/// The URL with its secret, as stored (and parsed back by `Mailbox::from_record`).
fn url_text_imap(u: &ImapUrl) -> String {
    let scheme = match u.security {
        frontline_mail::Security::Plain => "imap",
        frontline_mail::Security::Tls => "imaps",
        frontline_mail::Security::StartTls => "imap+starttls",
    };
    format!(
        "{scheme}://{}:{}@{}:{}/{}",
        encode(&u.user),
        encode(&u.password),
        host(&u.host),
        u.port,
        encode(&u.folder)
    )
}

fn url_text_smtp(u: &SmtpUrl) -> String {
    let scheme = match u.security {
        frontline_mail::Security::Plain => "smtp",
        frontline_mail::Security::Tls => "smtps",
        frontline_mail::Security::StartTls => "smtp+starttls",
    };
    let auth = match (&u.user, &u.password) {
        (Some(user), Some(pass)) => format!("{}:{}@", encode(user), encode(pass)),
        _ => String::new(),
    };
    format!("{scheme}://{auth}{}:{}", host(&u.host), u.port)
}

fn host(h: &str) -> String {
    if h.contains(':') {
        format!("[{h}]")
    } else {
        h.to_owned()
    }
}

fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_urls_read_back_the_same() {
        let imap = ImapUrl::parse("imaps://desk%40x.org:p%3A%2Fs@[::1]:1993/Support%20Desk")
            .expect("valid in the test");
        assert_eq!(
            ImapUrl::parse(&url_text_imap(&imap)).expect("valid in the test"),
            imap
        );
        let smtp = SmtpUrl::parse("smtps://u:p%40ss@mail.x.org").expect("valid in the test");
        assert_eq!(
            SmtpUrl::parse(&url_text_smtp(&smtp)).expect("valid in the test"),
            smtp
        );
    }
}

/// A change of a mailbox's settings: `None` keeps a setting, `Some(None)` removes it (no IMAP:
/// mail arrives through the SMTP listener; no SMTP: the desk does not send as it; no name:
/// its mail shows the bare address).
#[derive(Debug, Clone, Default)]
pub struct MailboxChange {
    pub imap: Option<Option<ImapUrl>>,
    pub smtp: Option<Option<SmtpUrl>>,
    pub name: Option<Option<MailboxName>>,
}

impl Mail {
    /// Changes a mailbox's URLs and name. Over the API only admins may; the CLI acts as the operator.
    pub async fn update_mailbox(
        &self,
        actor: Option<&Actor>,
        id: MailboxId,
        change: MailboxChange,
    ) -> Result<Mailbox> {
        if let Some(a) = actor {
            a.require(Permission::Mailboxes)?;
        }
        let mut tx = self.core.begin().await?;
        let mut c = tx.conn();
        let current = c
            .mailboxes()
            .await?
            .into_iter()
            .find(|m| m.id == id)
            .ok_or(CoreError::NotFound("mailbox"))?;
        let imap = match &change.imap {
            None => current.imap_url.clone(),
            Some(u) => u.as_ref().map(url_text_imap),
        };
        let smtp = match &change.smtp {
            None => current.smtp_url.clone(),
            Some(u) => u.as_ref().map(url_text_smtp),
        };
        let now = self.core.now().as_micros();
        c.update_mailbox_urls(id, imap.as_deref(), smtp.as_deref(), now)
            .await?;
        if let Some(name) = &change.name {
            c.set_mailbox_name(id, name.as_ref().map(MailboxName::as_str), now)
                .await?;
        }
        let row = c
            .mailboxes()
            .await?
            .into_iter()
            .find(|m| m.id == id)
            .ok_or(CoreError::NotFound("mailbox"))?;
        tx.commit().await?;
        self.core.outbound.forget();
        tracing::info!(mailbox_id = %id, address = %row.address, "mailbox changed");
        Mailbox::from_record(row)
    }

    /// Disables a mailbox (`enabled` false) or enables it again.
    pub async fn set_mailbox_enabled(
        &self,
        actor: Option<&Actor>,
        id: MailboxId,
        enabled: bool,
    ) -> Result<()> {
        if let Some(a) = actor {
            a.require(Permission::Mailboxes)?;
        }
        // A disabled mailbox's folder stops being polled within one rescan of every node's
        // poller.
        let state = if enabled {
            MailboxState::Active
        } else {
            MailboxState::Disabled
        };
        let mut tx = self.core.begin().await?;
        if !tx
            .conn()
            .set_mailbox_state(id, state, self.core.now().as_micros())
            .await?
        {
            return Err(CoreError::NotFound("mailbox"));
        }
        tx.commit().await?;
        self.core.outbound.forget();
        tracing::info!(mailbox_id = %id, state = %state, "mailbox state changed");
        Ok(())
    }
}

impl Mailbox {
    /// Whether mail for it is read and accepted (not disabled by an administrator).
    pub fn is_active(&self) -> bool {
        self.state != MailboxState::Disabled
    }
}
