//! The SMTP listener's link to the desk (`serve --smtp-listen`). A recipient is accepted only
//! when it is a configured mailbox, and a message is answered 250 only once it is stored
//! with the job that will ingest it. A message ingest could only quarantine (unreadable, no
//! sender address, too large, too many files) is refused with a 5xx and the reason before
//! anything is stored (`Mail::refusal`), so the sender's server tells its author.

use frontline_mail::smtp::{self, Envelope, Inbox, NotStored};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::Mail;
use crate::mail::{Incoming, MAX_MESSAGE_BYTES};

struct DeskInbox {
    mail: Mail,
}

impl Inbox for DeskInbox {
    async fn accepts(&self, address: &str) -> Result<bool, String> {
        self.mail
            .mailbox_for(address)
            .await
            .map(|m| m.is_some_and(|m| m.is_active()))
            .map_err(|e| e.to_string())
    }

    async fn deliver(&self, envelope: Envelope, data: Vec<u8>) -> Result<(), NotStored> {
        if let Some(refused) = self.mail.refusal(&data) {
            tracing::info!(reply = %refused.0, from = ?envelope.from, "SMTP message refused before storing");
            return Err(NotStored::Refused(refused.0));
        }
        let failed = |e: crate::CoreError| NotStored::Failed(e.to_string());
        let mailbox = match envelope.to.first() {
            Some(to) => self.mail.mailbox_for(to).await.map_err(failed)?,
            None => None,
        };
        // As the delivering server, the desk records the envelope sender in front (RFC 5321
        // 4.4): `<>` marks a bounce, whatever its From header says.
        let from = envelope.from.as_deref().unwrap_or_default();
        let mut raw = format!("Return-Path: <{from}>\r\n").into_bytes();
        raw.extend_from_slice(&data);
        let incoming = Incoming {
            mailbox_id: mailbox.map(|m| m.id),
            source: "smtp",
            uid: None,
            envelope_from: envelope.from,
            raw,
        };
        // A copy received before is as good as stored: the sender is told so.
        self.mail
            .receive_mail(incoming)
            .await
            .map(drop)
            .map_err(failed)
    }
}

/// Serves SMTP on `listener` into the desk until `shutdown`.
pub fn spawn(mail: Mail, listener: TcpListener, shutdown: watch::Receiver<bool>) -> JoinHandle<()> {
    let config = smtp::Config {
        max_message_bytes: MAX_MESSAGE_BYTES,
        ..smtp::Config::default()
    };
    let inbox = std::sync::Arc::new(DeskInbox { mail });
    tokio::spawn(smtp::serve(listener, inbox, config, shutdown))
}
