//! Outbound mail: a message the desk rendered, put into MIME (`compose`); `crate::send`
//! hands it to the mailbox's SMTP server. Knows nothing of tickets: the caller says who,
//! what and which Message-IDs thread it.

use lettre::Message;
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox as LettreMailbox, MultiPart, SinglePart};

/// A message ready to be put into MIME.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub from: String,
    /// The name shown with the sender address.
    pub from_name: Option<String>,
    pub to: Vec<String>,
    /// The name shown with the (first) recipient's address.
    pub to_name: Option<String>,
    pub subject: String,
    /// Without angle brackets.
    pub message_id: String,
    pub in_reply_to: Option<String>,
    /// Oldest first, without angle brackets.
    pub references: Vec<String>,
    /// RFC 3834: `auto-generated` or `auto-replied`; `None` for mail a person's action wrote.
    pub auto_submitted: Option<String>,
    pub text: String,
    pub html: Option<String>,
    /// Files sent along, in this order, after the text.
    pub attachments: Vec<OutgoingAttachment>,
}

/// A file sent with a message.
#[derive(Clone, PartialEq, Eq)]
pub struct OutgoingAttachment {
    pub filename: String,
    /// As uploaded; `application/octet-stream` stands in for one that does not parse.
    pub content_type: String,
    pub data: Vec<u8>,
}

impl std::fmt::Debug for OutgoingAttachment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "OutgoingAttachment({:?}, {}, {} bytes)",
            self.filename,
            self.content_type,
            self.data.len()
        )
    }
}

/// Longest file name put in a header (as long as the desk keeps).
const MAX_FILENAME_CHARS: usize = 255;
/// Longest display name put in a header; a longer one is cut (at a character boundary).
const MAX_NAME_CHARS: usize = 120;

/// A person's or desk's name as a header may show it: control characters (CR and LF would
/// start a new header) become spaces, runs of white space one, and an empty result none.
/// Quotes and non-ASCII letters stay: lettre quotes the former and encodes the latter
/// (RFC 2047).
pub fn display_name(name: &str) -> Option<String> {
    let line = one_line(name, MAX_NAME_CHARS);
    (!line.is_empty()).then_some(line)
}

/// `text` as one line of at most `max` characters: control characters become spaces, runs
/// of white space one space, and the ends are trimmed.
pub fn one_line(text: &str, max: usize) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(max)
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The server refused the message for good (5xx), or it cannot be built at all.
    #[error("{0}")]
    Permanent(String),
    /// Worth another attempt later: no connection, a timeout, a 4xx reply.
    #[error("{0}")]
    Transient(String),
}

/// `Auto-Submitted` (RFC 3834): lettre has no type for it.
#[derive(Debug, Clone)]
struct AutoSubmitted(String);

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.trim().to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// Asks other automatic responders not to answer (Microsoft's header for RFC 3834's idea).
#[derive(Debug, Clone)]
struct SuppressAutoResponse;

impl Header for SuppressAutoResponse {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("X-Auto-Response-Suppress")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "All".to_owned())
    }
}

/// A new Message-ID (without brackets) for mail from `domain`: unguessable, so nobody can
/// thread a message onto a ticket by guessing the ids the desk sent.
pub fn new_message_id(label: &str, domain: &str) -> String {
    let token: u128 = rand::random();
    format!("frontline.{label}.{token:032x}@{domain}")
}

/// The message in MIME: text and, when given, HTML as alternatives.
pub fn compose(o: &Outgoing) -> Result<Message, SendError> {
    let bad = |what: &str, e: &dyn std::fmt::Display| {
        SendError::Permanent(format!("cannot build the message: {what}: {e}"))
    };
    let from: LettreMailbox = LettreMailbox::new(
        o.from_name.as_deref().and_then(display_name),
        o.from.parse().map_err(|e| bad("sender", &e))?,
    );
    let mut builder = Message::builder()
        .from(from)
        .subject(o.subject.clone())
        .message_id(Some(format!("<{}>", o.message_id)));
    for (i, to) in o.to.iter().enumerate() {
        let address = to
            .parse()
            .map_err(|e| bad(&format!("recipient {to}"), &e))?;
        let name = (i == 0)
            .then(|| o.to_name.as_deref().and_then(display_name))
            .flatten();
        builder = builder.to(LettreMailbox::new(name, address));
    }
    if let Some(id) = &o.in_reply_to {
        builder = builder.in_reply_to(format!("<{id}>"));
    }
    if !o.references.is_empty() {
        let refs: Vec<String> = o.references.iter().map(|r| format!("<{r}>")).collect();
        builder = builder.references(refs.join(" "));
    }
    if let Some(kind) = &o.auto_submitted {
        builder = builder
            .header(AutoSubmitted(kind.clone()))
            .header(SuppressAutoResponse);
    }
    let text = SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .body(o.text.clone());
    let message = match (&o.html, o.attachments.is_empty()) {
        (Some(html), true) => builder.multipart(alternative(text, html)),
        (None, true) => builder.singlepart(text),
        (html, false) => {
            let mut mixed = match html {
                Some(html) => MultiPart::mixed().multipart(alternative(text, html)),
                None => MultiPart::mixed().singlepart(text),
            };
            for a in &o.attachments {
                mixed = mixed.singlepart(attachment(a));
            }
            builder.multipart(mixed)
        }
    };
    message.map_err(|e| bad("headers", &e))
}

fn alternative(text: SinglePart, html: &str) -> MultiPart {
    MultiPart::alternative().singlepart(text).singlepart(
        SinglePart::builder()
            .header(ContentType::TEXT_HTML)
            .body(html.to_owned()),
    )
}

/// One file as a MIME part: its name (RFC 2231 when not ASCII) in Content-Disposition, its
/// type as uploaded when that parses, base64 (lettre picks it for binary content).
fn attachment(a: &OutgoingAttachment) -> SinglePart {
    let content_type = ContentType::parse(a.content_type.trim())
        .or_else(|_| ContentType::parse("application/octet-stream"));
    let filename = Some(one_line(&a.filename, MAX_FILENAME_CHARS))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "attachment".to_owned());
    let part = Attachment::new(filename);
    match content_type {
        Ok(ct) => part.body(a.data.clone(), ct),
        // The literal above always parses; a part without a type is still a file.
        Err(_) => part.body(a.data.clone(), ContentType::TEXT_PLAIN),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Outgoing {
        Outgoing {
            from: "help@example.org".into(),
            from_name: Some("Example Help Desk".into()),
            to: vec!["bob@example.org".into()],
            to_name: Some("Bob \"the Builder\" Ørsted\r\nBcc: evil@x.org".into()),
            subject: "[#42] VPN drops — Réponse".into(),
            message_id: new_message_id("ack.42", "example.org"),
            in_reply_to: Some("abc@client.example".into()),
            references: vec!["root@client.example".into(), "abc@client.example".into()],
            auto_submitted: Some("auto-generated".into()),
            text: "Reply above this line\n\nWe got it.".into(),
            html: Some("<p>We got it.</p>".into()),
            attachments: Vec::new(),
        }
    }

    #[test]
    fn composed_mail_carries_threading_and_loop_headers() {
        let o = sample();
        let raw = String::from_utf8(compose(&o).expect("builds").formatted()).expect("utf-8");
        assert!(raw.contains(&format!("Message-ID: <{}>", o.message_id)));
        assert!(raw.contains("In-Reply-To: <abc@client.example>"));
        assert!(raw.contains("References: <root@client.example> <abc@client.example>"));
        assert!(raw.contains("Auto-Submitted: auto-generated"));
        assert!(raw.contains("multipart/alternative"));
        let parsed = crate::parse(raw.as_bytes(), 1 << 20).expect("parses back");
        assert_eq!(parsed.subject, o.subject);
        assert_eq!(parsed.message_id.as_deref(), Some(o.message_id.as_str()));
        assert_eq!(parsed.automatic, Some(crate::Automatic::AutoReply));
    }

    #[test]
    fn names_are_encoded_and_cannot_add_headers() {
        let o = sample();
        let raw = String::from_utf8(compose(&o).expect("builds").formatted()).expect("utf-8");
        assert!(!raw.contains("\r\nBcc:"), "{raw}");
        assert!(
            raw.contains("=?utf-8?"),
            "the non-ASCII name is encoded: {raw}"
        );
        let parsed = crate::parse(raw.as_bytes(), 1 << 20).expect("parses back");
        assert_eq!(
            parsed.to[0].name.as_deref(),
            Some("Bob \"the Builder\" Ørsted Bcc: evil@x.org")
        );
        assert_eq!(parsed.from.name.as_deref(), Some("Example Help Desk"));
        assert_eq!(display_name(" \r\n\t "), None);
    }

    #[test]
    fn attachments_follow_the_alternative() {
        let o = Outgoing {
            attachments: vec![
                OutgoingAttachment {
                    filename: "Übersicht März.pdf".into(),
                    content_type: "application/pdf".into(),
                    data: vec![0, 1, 2, 255],
                },
                OutgoingAttachment {
                    filename: "log.txt".into(),
                    content_type: "not a type".into(),
                    data: b"line\n".to_vec(),
                },
            ],
            ..sample()
        };
        let raw = compose(&o).expect("builds").formatted();
        let text = String::from_utf8_lossy(&raw);
        assert!(text.contains("multipart/mixed"), "{text}");
        assert!(text.contains("multipart/alternative"), "{text}");
        let parsed = crate::parse(&raw, 1 << 20).expect("parses back");
        assert_eq!(parsed.attachments.len(), 2, "{text}");
        assert_eq!(parsed.attachments[0].filename, "Übersicht März.pdf");
        assert_eq!(parsed.attachments[0].content_type, "application/pdf");
        assert_eq!(parsed.attachments[0].data, vec![0, 1, 2, 255]);
        assert_eq!(
            parsed.attachments[1].content_type,
            "application/octet-stream"
        );
        assert!(parsed.text.contains("We got it."), "{}", parsed.text);
    }

    #[test]
    fn a_bad_recipient_is_permanent() {
        let o = Outgoing {
            to: vec!["not an address".into()],
            ..sample()
        };
        assert!(matches!(compose(&o), Err(SendError::Permanent(_))));
    }

    #[test]
    fn message_ids_differ() {
        assert_ne!(new_message_id("a", "x.org"), new_message_id("a", "x.org"));
    }
}
