//! RFC 2047 encoded words (`=?cp949?B?...?=`) in a raw header, read again when they name a
//! charset mail-parser has no decoder for (see `charset`) or where mail-parser read no value
//! (see `names`); mail-parser's own reading stands for every other header. Adjacent words in one charset are joined before decoding, as a
//! character may be split between them.

use mail_parser::decoders::base64::base64_decode;

use crate::charset;

/// The decoded header, when it holds a word in a charset only `charset` knows; else `None`.
pub(crate) fn reread(raw: &str) -> Option<String> {
    let words = words(raw);
    words
        .iter()
        .any(|w| matches!(w, Piece::Word(label, _) if charset::unmapped(label).is_some()))
        .then(|| join(words))
}

/// Every encoded word in `raw` decoded, whitespace collapsed.
pub(crate) fn decode(raw: &str) -> String {
    join(words(raw))
}

fn join(words: Vec<Piece<'_>>) -> String {
    let mut out = String::new();
    let mut pending: Option<(&str, Vec<u8>)> = None;
    for piece in words {
        match piece {
            Piece::Word(label, bytes) => match &mut pending {
                Some((l, buf)) if l.eq_ignore_ascii_case(label) => buf.extend(bytes),
                _ => {
                    flush(&mut out, pending.take());
                    pending = Some((label, bytes));
                }
            },
            // Whitespace between two encoded words is not part of the text (RFC 2047 6.2).
            Piece::Text(t) if pending.is_some() && t.trim().is_empty() => {}
            Piece::Text(t) => {
                flush(&mut out, pending.take());
                out.push_str(t);
            }
        }
    }
    flush(&mut out, pending);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn flush(out: &mut String, pending: Option<(&str, Vec<u8>)>) {
    if let Some((label, bytes)) = pending {
        out.push_str(&charset::decode(Some(label), &bytes));
    }
}

enum Piece<'a> {
    Text(&'a str),
    Word(&'a str, Vec<u8>),
}

/// The header split into plain text and decoded words (a malformed word stays text).
fn words(raw: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = raw;
    while let Some(start) = rest.find("=?") {
        match word(&rest[start + 2..]) {
            Some((label, bytes, len)) => {
                if start > 0 {
                    out.push(Piece::Text(&rest[..start]));
                }
                out.push(Piece::Word(label, bytes));
                rest = &rest[start + 2 + len..];
            }
            None => {
                out.push(Piece::Text(&rest[..start + 2]));
                rest = &rest[start + 2..];
            }
        }
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

/// `charset?E?text?=` (after the `=?`): the charset (its `*language` dropped), the bytes and
/// how much was read.
fn word(s: &str) -> Option<(&str, Vec<u8>, usize)> {
    let (label, rest) = s.split_once('?')?;
    let (encoding, rest) = rest.split_once('?')?;
    let end = rest.find("?=")?;
    let text = &rest[..end];
    if label.is_empty() || text.contains(char::is_whitespace) {
        return None;
    }
    let bytes = match encoding {
        "B" | "b" => base64_decode(text.as_bytes())?,
        "Q" | "q" => q_decode(text)?,
        _ => return None,
    };
    let label = label.split('*').next().unwrap_or(label);
    Some((label, bytes, label.len() + encoding.len() + end + 4))
}

fn q_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'_' => out.push(b' '),
            b'=' => {
                let hex = [bytes.next()?, bytes.next()?];
                let hex = std::str::from_utf8(&hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
            }
            b => out.push(b),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_in_unmapped_charsets_are_read() {
        // "똠방각하 printer" in cp949, split inside a character across two words.
        assert_eq!(
            reread("=?cp949?B?jGO5?=\r\n =?cp949?B?5rCix88=?= printer").as_deref(),
            Some("똠방각하 printer")
        );
        assert_eq!(
            reread("Re: =?CP932?Q?=83v=83=8A=83=93=83^=81[?=").as_deref(),
            Some("Re: プリンター")
        );
    }

    #[test]
    fn other_headers_are_left_to_mail_parser() {
        assert_eq!(reread("=?utf-8?B?w6k=?="), None);
        assert_eq!(reread("plain =? text"), None);
        assert_eq!(reread("=?big5?B?pkw=?="), None);
    }
}
