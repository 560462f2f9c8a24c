//! An inbound message, read once into what a ticket or a comment needs: who sent it and to
//! whom, the keys that thread it (Message-ID, In-Reply-To, References, the ticket tag), the
//! text people read, the sanitized HTML, the attachments, and whether a machine sent it.
//! A message that cannot become either is refused with a reason, never half-read.
//!
//! mail-parser reads the MIME structure; `repair` mends what it would misread first, `parts`
//! decides which parts are the text and which are files, `charset` and `words` decode what
//! it has no charset for, and every file's name is made safe as a [`FileName`].

use frontline_domain::FileName;
use mail_parser::{Address, Message, MessageParser, MimeHeaders};

use crate::classify::{self, Automatic};
use crate::parts::{self, Layout};
use crate::{html, names, repair, reply, words};

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
    let mended = repair::mend(raw);
    let message = MessageParser::default()
        .parse(mended.as_ref())
        .ok_or(Refusal::Unparseable)?;
    if message.headers().is_empty() {
        return Err(Refusal::Unparseable);
    }
    let from = message
        .from()
        .and_then(first_mailbox)
        .or_else(|| message.sender().and_then(first_mailbox))
        .ok_or(Refusal::NoSender)?;
    let layout = parts::layout(&message);
    let html = layout
        .html
        .map(|id| html::sanitize(&parts::text(&message, id)));
    let text = body_text(&message, &layout, html.as_deref());
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
        subject: subject(&message),
        date: message.date().map(|d| d.to_timestamp()),
        reply: reply::extract(&text),
        text,
        html,
        attachments: attachments(&message, &layout),
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

/// The plain-text pieces joined, else the HTML's text (also when the plain part is blank).
fn body_text(message: &Message<'_>, layout: &Layout, html: Option<&str>) -> String {
    let pieces: Vec<String> = layout
        .text
        .iter()
        .map(|&id| parts::text(message, id))
        .collect();
    let text = match pieces.as_slice() {
        [one] => one.clone(),
        many => many
            .iter()
            .map(|p| p.trim_end())
            .filter(|p| !p.trim().is_empty())
            .collect::<Vec<_>>()
            .join("\n\n"),
    };
    match html {
        Some(html) if text.trim().is_empty() => html::to_text(html),
        _ => text,
    }
}

/// The first Subject (as CPython reads it when a sender repeats it), decoded also in the
/// charsets mail-parser has no label for, trimmed.
fn subject(message: &Message<'_>) -> String {
    let Some(header) = message
        .headers()
        .iter()
        .find(|h| h.name().eq_ignore_ascii_case("subject"))
    else {
        return String::new();
    };
    let raw = message
        .raw_message()
        .get(header.offset_start() as usize..header.offset_end() as usize)
        .map(String::from_utf8_lossy);
    raw.as_deref()
        .and_then(words::reread)
        .or_else(|| header.value().as_text().map(str::to_owned))
        .unwrap_or_default()
        .trim()
        .to_owned()
}

fn attachments(message: &Message<'_>, layout: &Layout) -> Vec<InboundAttachment> {
    layout
        .files
        .iter()
        .filter_map(|&id| message.part(id))
        .enumerate()
        .map(|(i, part)| {
            let content_type = part.content_type().map_or_else(
                || "application/octet-stream".to_owned(),
                |ct| match ct.subtype() {
                    Some(sub) => format!("{}/{}", ct.ctype(), sub).to_ascii_lowercase(),
                    None => ct.ctype().to_ascii_lowercase(),
                },
            );
            // The name as sent stays in the stored message; the desk shows and sends this.
            let filename =
                FileName::or_numbered(names::of(message, part).as_deref(), i + 1).into_string();
            let content_id = part
                .content_id()
                .map(|id| id.trim_matches(['<', '>']).to_owned());
            let inline =
                part.content_disposition().is_some_and(|d| d.is_inline()) || content_id.is_some();
            InboundAttachment {
                filename,
                content_type,
                data: parts::file(message, part),
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
