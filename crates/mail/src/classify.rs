//! Mail that no person wrote: auto-replies, bounces, mailing-list and bulk mail. The desk
//! never answers it automatically (RFC 3834), and bounces are told apart so they can be
//! attached to the ticket whose mail bounced.

use mail_parser::{HeaderValue, Message, MimeHeaders};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Automatic {
    /// A delivery status notification or other bounce.
    Bounce,
    /// An out-of-office or other automatic answer.
    AutoReply,
    /// Mailing-list traffic.
    List,
    /// Bulk or junk mail (newsletters, notifications).
    Bulk,
}

impl Automatic {
    pub fn as_str(self) -> &'static str {
        match self {
            Automatic::Bounce => "bounce",
            Automatic::AutoReply => "auto_reply",
            Automatic::List => "list",
            Automatic::Bulk => "bulk",
        }
    }
}

/// What kind of automatic mail this is, or `None` for mail a person wrote.
pub fn automatic(message: &Message<'_>) -> Option<Automatic> {
    if is_bounce(message) {
        return Some(Automatic::Bounce);
    }
    let text = |name: &str| header_text(message, name);
    let auto_submitted = text("Auto-Submitted").map(|v| v.to_ascii_lowercase());
    if auto_submitted
        .as_deref()
        .is_some_and(|v| !v.starts_with("no"))
    {
        return Some(Automatic::AutoReply);
    }
    // Microsoft, and older autoresponders, say it in their own headers.
    if text("X-Autoreply").is_some()
        || text("X-Autorespond").is_some()
        || text("X-Auto-Response-Suppress").is_some_and(|v| {
            let v = v.to_ascii_lowercase();
            v.contains("all") || v.contains("oof") || v.contains("autoreply")
        }) && subject_looks_automatic(message)
    {
        return Some(Automatic::AutoReply);
    }
    let precedence = text("Precedence").map(|v| v.trim().to_ascii_lowercase());
    match precedence.as_deref() {
        Some("list") => return Some(Automatic::List),
        Some("bulk" | "junk") => return Some(Automatic::Bulk),
        Some("auto_reply") => return Some(Automatic::AutoReply),
        _ => {}
    }
    // RFC 2369/2919 List-* headers, and what ezmlm and Mailman said before them.
    let list = message.headers_raw().any(|(name, _)| {
        let name = name.to_ascii_lowercase();
        name.starts_with("list-")
            || matches!(
                name.as_str(),
                "mailing-list" | "x-mailing-list" | "x-beenthere"
            )
    });
    list.then_some(Automatic::List)
}

/// A null return path, a mailer daemon, or a multipart/report delivery status.
fn is_bounce(message: &Message<'_>) -> bool {
    let null_sender =
        header_text(message, "Return-Path").is_some_and(|v| matches!(v.trim(), "<>" | ""));
    let report = message.content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case("multipart")
            && ct
                .subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"))
            && ct
                .attribute("report-type")
                .is_some_and(|r| r.eq_ignore_ascii_case("delivery-status"))
    });
    let daemon = message
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .is_some_and(|a| {
            let local = a.split('@').next().unwrap_or_default().to_ascii_lowercase();
            local == "mailer-daemon" || local == "postmaster"
        });
    report || daemon || null_sender && subject_looks_automatic(message)
}

fn subject_looks_automatic(message: &Message<'_>) -> bool {
    let subject = message.subject().unwrap_or_default().to_ascii_lowercase();
    [
        "out of office",
        "automatic reply",
        "auto reply",
        "autoreply",
        "abwesenheit",
        "undeliverable",
        "delivery status notification",
        "returned mail",
        "mail delivery failed",
    ]
    .iter()
    .any(|s| subject.contains(s))
}

/// A header's value as text, whatever form the parser gave it.
pub(crate) fn header_text<'m>(message: &'m Message<'_>, name: &str) -> Option<&'m str> {
    message
        .headers_raw()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
}

/// The message ids in a header such as `References` or `In-Reply-To`, without brackets.
pub(crate) fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    let list: Vec<&str> = match value {
        HeaderValue::Text(t) => vec![t.as_ref()],
        HeaderValue::TextList(l) => l.iter().map(AsRef::as_ref).collect(),
        _ => vec![],
    };
    list.into_iter()
        .flat_map(|v| v.split_whitespace())
        .map(|id| id.trim_matches(|c| c == '<' || c == '>').to_owned())
        .filter(|id| !id.is_empty())
        .collect()
}
