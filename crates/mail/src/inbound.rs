//! An inbound message, read once into what a ticket or a comment needs: who sent it and to
//! whom, the keys that thread it (Message-ID, In-Reply-To, References, the ticket tag), the
//! text people read, the sanitized HTML, the attachments, and whether a machine sent it.
//! A message that cannot become either is refused with a reason, never half-read.

use mail_parser::{Address, Message, MessageParser, MimeHeaders};

use crate::classify::{self, Automatic};
use crate::{html, reply};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    /// Lower-cased.
    pub address: String,
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundAttachment {
    pub filename: String,
    pub content_type: String,
    pub data: Vec<u8>,
    /// Set on inline images an HTML body refers to (`cid:`).
    pub content_id: Option<String>,
    pub inline: bool,
}

#[derive(Debug, Clone)]
pub struct Inbound {
    /// Without angle brackets; `None` when the sender gave none.
    pub message_id: Option<String>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    pub from: Mailbox,
    pub reply_to: Option<Mailbox>,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    pub subject: String,
    /// Seconds since the epoch, as the sender's Date header says.
    pub date: Option<i64>,
    /// The whole text (from the plain part, else from the HTML).
    pub text: String,
    /// What the sender wrote: quoted history and signature removed.
    pub reply: String,
    /// Sanitized HTML, when the message had an HTML part.
    pub html: Option<String>,
    pub attachments: Vec<InboundAttachment>,
    pub automatic: Option<Automatic>,
    /// For a bounce: the Message-IDs of the mail that bounced, read from the report.
    pub bounced_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the message is {size} bytes, over the limit of {limit}")]
    TooLarge { size: usize, limit: usize },
    #[error("the message could not be read as MIME")]
    Unparseable,
    #[error("the message has no sender address (From)")]
    NoSender,
}

impl Refusal {
    pub fn as_str(&self) -> &'static str {
        match self {
            Refusal::TooLarge { .. } => "too_large",
            Refusal::Unparseable => "unparseable",
            Refusal::NoSender => "no_sender",
        }
    }
}

/// The Message-ID in the headers, without brackets, when there is one; reads nothing else.
pub fn message_id(raw: &[u8]) -> Option<String> {
    let headers = MessageParser::default().parse_headers(raw)?;
    let id = headers.message_id()?.trim_matches(['<', '>']).trim();
    (!id.is_empty() && id.len() <= 998).then(|| id.to_owned())
}

/// Reads a raw RFC 5322 message of at most `max_bytes`.
pub fn parse(raw: &[u8], max_bytes: usize) -> Result<Inbound, Refusal> {
    if raw.len() > max_bytes {
        return Err(Refusal::TooLarge {
            size: raw.len(),
            limit: max_bytes,
        });
    }
    let message = MessageParser::default()
        .parse(raw)
        .ok_or(Refusal::Unparseable)?;
    if message.headers().is_empty() {
        return Err(Refusal::Unparseable);
    }
    let from = message
        .from()
        .and_then(first_mailbox)
        .or_else(|| message.sender().and_then(first_mailbox))
        .ok_or(Refusal::NoSender)?;
    let html = message
        .html_part(0)
        .filter(|p| p.is_text_html())
        .and_then(|p| p.text_contents())
        .map(html::sanitize);
    let text = match message.text_part(0) {
        Some(p) if !p.is_text_html() => p.text_contents().unwrap_or_default().to_owned(),
        _ => html.as_deref().map(html::to_text).unwrap_or_default(),
    };
    let automatic = classify::automatic(&message);
    let bounced_ids = if automatic == Some(Automatic::Bounce) {
        bounced_ids(&message)
    } else {
        Vec::new()
    };
    Ok(Inbound {
        message_id: message
            .message_id()
            .map(|id| id.trim_matches(['<', '>']).to_owned()),
        in_reply_to: classify::ids(message.in_reply_to()),
        references: classify::ids(message.references()),
        reply_to: message.reply_to().and_then(first_mailbox),
        to: mailboxes(message.to()),
        cc: mailboxes(message.cc()),
        subject: message.subject().unwrap_or_default().trim().to_owned(),
        date: message.date().map(|d| d.to_timestamp()),
        reply: reply::extract(&text),
        text,
        html,
        attachments: attachments(&message),
        automatic,
        bounced_ids,
        from,
    })
}

fn first_mailbox(address: &Address<'_>) -> Option<Mailbox> {
    mailboxes(Some(address)).into_iter().next()
}

fn mailboxes(address: Option<&Address<'_>>) -> Vec<Mailbox> {
    address
        .into_iter()
        .flat_map(|a| a.iter())
        .filter_map(|a| {
            let address = a.address()?.trim().to_lowercase();
            address.contains('@').then(|| Mailbox {
                address,
                name: a
                    .name()
                    .map(|n| n.trim().to_owned())
                    .filter(|n| !n.is_empty()),
            })
        })
        .collect()
}

fn attachments(message: &Message<'_>) -> Vec<InboundAttachment> {
    message
        .attachments()
        .enumerate()
        .map(|(i, part)| {
            let content_type = part.content_type().map_or_else(
                || "application/octet-stream".to_owned(),
                |ct| match ct.subtype() {
                    Some(sub) => format!("{}/{}", ct.ctype(), sub).to_ascii_lowercase(),
                    None => ct.ctype().to_ascii_lowercase(),
                },
            );
            let filename = part
                .attachment_name()
                .map(str::to_owned)
                .unwrap_or_else(|| format!("attachment-{}", i + 1));
            let content_id = part
                .content_id()
                .map(|id| id.trim_matches(['<', '>']).to_owned());
            let inline =
                part.content_disposition().is_some_and(|d| d.is_inline()) || content_id.is_some();
            InboundAttachment {
                filename,
                content_type,
                data: part.contents().to_vec(),
                content_id,
                inline,
            }
        })
        .collect()
}

/// Message-IDs of the original mail inside a delivery report: an attached `message/rfc822`,
/// or the `text/rfc822-headers` part most servers send instead.
fn bounced_ids(message: &Message<'_>) -> Vec<String> {
    let mut ids = Vec::new();
    for part in message.parts.iter() {
        let original = match part.message() {
            Some(m) => Some(m.clone()),
            None if part.is_content_type("text", "rfc822-headers") => {
                MessageParser::default().parse_headers(part.contents())
            }
            None => None,
        };
        if let Some(id) = original.as_ref().and_then(|m| m.message_id()) {
            ids.push(id.trim_matches(['<', '>']).to_owned());
        }
    }
    ids.sort();
    ids.dedup();
    ids
}
