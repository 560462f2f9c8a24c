//! `frontline mailbox …`: the mailboxes the desk answers for, configured straight on the
//! database by the operator. URLs and the name are checked before anything is written, and
//! passwords are never printed.

use anyhow::Context;
use frontline_core::Desk;
use frontline_core::mail::NewMailbox;
use frontline_core::mail::outbound::MailboxName;
use frontline_domain::Email;
use frontline_mail::{ImapUrl, SmtpUrl};

use crate::args::MailboxCommand;

pub async fn run(desk: &Desk, cmd: MailboxCommand) -> anyhow::Result<()> {
    match cmd {
        MailboxCommand::Add(a) => {
            let address =
                Email::parse("--address", &a.address).map_err(|e| anyhow::anyhow!("{e}"))?;
            let imap = a
                .imap
                .as_deref()
                .map(ImapUrl::parse)
                .transpose()
                .map_err(|e| anyhow::anyhow!("--imap: {e}"))?;
            let smtp = a
                .smtp
                .as_deref()
                .map(SmtpUrl::parse)
                .transpose()
                .map_err(|e| anyhow::anyhow!("--smtp: {e}"))?;
            let name = a
                .name
                .as_deref()
                .map(MailboxName::parse)
                .transpose()
                .map_err(|e| anyhow::anyhow!("--name {}", e.message))?
                .flatten();
            let mailbox = desk
                .mail()
                .add_mailbox(
                    None,
                    NewMailbox {
                        address,
                        imap,
                        smtp,
                        name,
                    },
                )
                .await
                .map_err(|e| anyhow::anyhow!("{}", crate::commands::describe(&e)))?;
            println!("{}", mailbox.id);
            eprintln!("added mailbox {}", line(&mailbox));
        }
        MailboxCommand::List => {
            let mailboxes = desk
                .mail()
                .mailboxes(None)
                .await
                .context("cannot read the mailboxes")?;
            for m in &mailboxes {
                println!("{}", line(m));
            }
        }
    }
    desk.store().close().await;
    Ok(())
}

fn line(m: &frontline_core::mail::Mailbox) -> String {
    let imap = m
        .imap
        .as_ref()
        .map_or_else(|| "smtp-listener".to_owned(), ToString::to_string);
    let smtp = m
        .smtp
        .as_ref()
        .map_or_else(|| "-".to_owned(), ToString::to_string);
    let error = m
        .last_error
        .as_deref()
        .map(|e| format!(" (last error: {e})"))
        .unwrap_or_default();
    let name = m.name.as_deref().unwrap_or("-");
    format!(
        "{}\tname: {name}\tin: {imap}\tout: {smtp}\t{}{error}",
        m.address, m.state
    )
}
