//! Which parts of a MIME message are the text people read and which are files, so that every
//! leaf part ends up in one or the other and nothing a sender sent vanishes.
//!
//! The body is found as CPython's `get_body` finds it: the first `text/plain` (else
//! `text/html`) that is not marked as an attachment, looking into a `multipart/related` only
//! at its root part and never into an attached message. The HTML shown beside a plain body is
//! its alternative. Further unnamed inline `text/plain` parts (a list's footer, the text a
//! client puts after an inline image) join the text; other renderings inside a
//! `multipart/alternative` are the same text again; every other leaf is a file.
//!
//! The parts' contents are mail-parser's, read again from the raw bytes where it gave up: a
//! part cut off by a missing closing boundary (left undecoded) and charsets it has no label
//! for (see `charset`).

use mail_parser::decoders::base64::base64_decode;
use mail_parser::decoders::quoted_printable::quoted_printable_decode;
use mail_parser::{Message, MessagePart, MimeHeaders, PartType};

use crate::charset;

/// Deeper nesting than this is not followed (a real message nests a handful of levels).
const MAX_DEPTH: usize = 64;

/// A message's parts by what they are to the reader (mail-parser's part ids).
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Layout {
    /// The plain-text pieces of the body, in order (empty when the body is HTML only).
    pub text: Vec<u32>,
    pub html: Option<u32>,
    pub files: Vec<u32>,
}

pub(crate) fn layout(message: &Message<'_>) -> Layout {
    let mut tree = Tree::default();
    tree.walk(message, 0, None, false, 0);
    let plain = find_body(message, 0, "plain", 0);
    let html = match plain {
        None => find_body(message, 0, "html", 0),
        Some(p) => tree
            .alternative_of(p)
            .and_then(|alt| find_body(message, alt, "html", 0)),
    };
    let mut layout = Layout {
        html,
        ..Layout::default()
    };
    for &(id, in_alternative) in &tree.leaves {
        let Some(part) = message.part(id) else {
            continue;
        };
        let unnamed_inline = !is_attachment(part) && part.attachment_name().is_none();
        let (ctype, subtype) = media(part);
        let plain_text = ctype == "text" && subtype == "plain" && part.is_text();
        if Some(id) == plain || (plain.is_some() && unnamed_inline && plain_text && !in_alternative)
        {
            layout.text.push(id);
        } else if Some(id) == html
            || (in_alternative && unnamed_inline && ctype == "text" && part.is_text())
        {
            // The body's HTML, or the same text rendered once more.
        } else {
            layout.files.push(id);
        }
    }
    layout
}

/// The text of the part `id`: a piece of the body.
pub(crate) fn text(message: &Message<'_>, id: u32) -> String {
    let Some(part) = message.part(id) else {
        return String::new();
    };
    let label = part.content_type().and_then(|ct| ct.attribute("charset"));
    let unread = part.is_encoding_problem || label.is_some_and(|l| charset::unmapped(l).is_some());
    match unread.then(|| raw_body(message, part)).flatten() {
        Some(bytes) => charset::decode(label, &bytes),
        None => part.text_contents().unwrap_or_default().to_owned(),
    }
}

/// The bytes of a file part, transfer-decoded even where mail-parser could not find its end.
pub(crate) fn file(message: &Message<'_>, part: &MessagePart<'_>) -> Vec<u8> {
    let charset_text = part.is_text()
        && part
            .content_type()
            .and_then(|ct| ct.attribute("charset"))
            .is_some_and(|l| charset::unmapped(l).is_some());
    if part.is_encoding_problem
        && !charset_text
        && let Some(bytes) = raw_body(message, part)
    {
        return bytes;
    }
    part.contents().to_vec()
}

/// The part's body as sent, transfer-decoded; `None` when it does not decode.
fn raw_body(message: &Message<'_>, part: &MessagePart<'_>) -> Option<Vec<u8>> {
    let raw = message
        .raw_message()
        .get(part.offset_body as usize..part.offset_end as usize)?;
    let encoding = part
        .content_transfer_encoding()
        .map(|e| e.trim().to_ascii_lowercase());
    match encoding.as_deref() {
        Some("base64") => base64_decode(raw),
        Some("quoted-printable") => quoted_printable_decode(raw),
        _ => Some(raw.to_vec()),
    }
}

/// The leaves in order, each with whether it lies inside a `multipart/alternative`, and every
/// part's parent.
#[derive(Default)]
struct Tree {
    leaves: Vec<(u32, bool)>,
    parents: Vec<(u32, u32)>,
    alternatives: Vec<u32>,
}

impl Tree {
    fn walk(
        &mut self,
        message: &Message<'_>,
        id: u32,
        parent: Option<u32>,
        in_alt: bool,
        depth: usize,
    ) {
        let Some(part) = message.part(id) else {
            return;
        };
        if let Some(p) = parent {
            self.parents.push((id, p));
        }
        match &part.body {
            PartType::Multipart(children) if depth < MAX_DEPTH => {
                let alternative = media(part).1 == "alternative";
                if alternative {
                    self.alternatives.push(id);
                }
                let in_alt = in_alt || alternative;
                for &child in children {
                    self.walk(message, child, Some(id), in_alt, depth + 1);
                }
            }
            PartType::Multipart(_) => {}
            _ => self.leaves.push((id, in_alt)),
        }
    }

    /// The nearest `multipart/alternative` above `id`.
    fn alternative_of(&self, mut id: u32) -> Option<u32> {
        while let Some(&(_, parent)) = self.parents.iter().find(|(c, _)| *c == id) {
            id = parent;
            if self.alternatives.contains(&id) {
                return Some(id);
            }
        }
        None
    }
}

/// CPython's body search: the first part of `text/<want>` below `id`.
fn find_body(message: &Message<'_>, id: u32, want: &str, depth: usize) -> Option<u32> {
    let part = message.part(id)?;
    if is_attachment(part) || depth > MAX_DEPTH {
        return None;
    }
    match &part.body {
        PartType::Multipart(children) if media(part).1 == "related" => {
            let start = part
                .content_type()
                .and_then(|ct| ct.attribute("start"))
                .map(|s| s.trim().trim_matches(['<', '>']));
            let root = start
                .and_then(|s| {
                    children.iter().find(|&&c| {
                        message
                            .part(c)
                            .and_then(|p| p.content_id())
                            .is_some_and(|cid| cid.trim().trim_matches(['<', '>']) == s)
                    })
                })
                .or(children.first());
            root.and_then(|&c| find_body(message, c, want, depth + 1))
        }
        PartType::Multipart(children) => children
            .iter()
            .find_map(|&c| find_body(message, c, want, depth + 1)),
        PartType::Text(_) | PartType::Html(_) => {
            let (ctype, subtype) = media(part);
            (ctype == "text" && subtype == want).then_some(id)
        }
        _ => None,
    }
}

fn is_attachment(part: &MessagePart<'_>) -> bool {
    part.content_disposition()
        .is_some_and(|d| d.is_attachment())
}

/// Type and subtype, lower-cased; `text/plain` when the part says none.
fn media(part: &MessagePart<'_>) -> (String, String) {
    match part.content_type() {
        Some(ct) => (
            ct.ctype().to_ascii_lowercase(),
            ct.subtype().unwrap_or_default().to_ascii_lowercase(),
        ),
        None => ("text".into(), "plain".into()),
    }
}
