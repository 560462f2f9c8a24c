//! The name a file part was sent under, as sent (it is made safe as a `FileName` after).
//! mail-parser's reading stands unless it found none, or read it in a charset it has no
//! decoder for; then the raw `Content-Disposition` `filename` and `Content-Type` `name`
//! parameters are read again: RFC 2231 (`filename*0*=cp949''%B0%DF…`, continuations) and
//! RFC 2047 words in a quoted value, also when the value only starts on a folded line.

use mail_parser::{Message, MessagePart, MimeHeaders};

use crate::{charset, words};

/// The file's name, when it was sent one.
pub(crate) fn of(message: &Message<'_>, part: &MessagePart<'_>) -> Option<String> {
    let parsed = part
        .attachment_name()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    let suspect = parsed.is_none_or(|n| n.contains('\u{FFFD}'));
    if !suspect {
        return parsed.map(str::to_owned);
    }
    ["content-disposition", "content-type"]
        .iter()
        .zip(["filename", "name"])
        .find_map(|(header, key)| raw_header(message, part, header).and_then(|v| param(&v, key)))
        .filter(|n| !n.trim().is_empty())
        .or_else(|| parsed.map(str::to_owned))
}

/// The raw value of the part's first `name` header, unfolded.
fn raw_header(message: &Message<'_>, part: &MessagePart<'_>, name: &str) -> Option<String> {
    let h = part
        .headers()
        .iter()
        .find(|h| h.name().eq_ignore_ascii_case(name))?;
    let raw = message
        .raw_message()
        .get(h.offset_start() as usize..h.offset_end() as usize)?;
    Some(String::from_utf8_lossy(raw).replace(['\r', '\n'], ""))
}

/// The parameter `key` of a header value, RFC 2231 and RFC 2047 decoded.
fn param(value: &str, key: &str) -> Option<String> {
    let params = split(value);
    let mut segments: Vec<(u32, bool, &str)> = Vec::new();
    for (name, v) in &params {
        let Some(rest) = name.strip_prefix(key).and_then(|r| r.strip_prefix('*')) else {
            continue;
        };
        let (index, extended) = match rest.strip_suffix('*') {
            Some(i) => (i, true),
            None if rest.is_empty() => ("0", true),
            None => (rest, false),
        };
        if let Ok(index) = index.parse::<u32>() {
            segments.push((index, extended, v));
        }
    }
    if !segments.is_empty() {
        segments.sort_by_key(|s| s.0);
        return Some(rfc2231(&segments));
    }
    params
        .iter()
        .find(|(name, _)| name == key)
        .map(|(_, v)| words::decode(v))
}

/// Continuations joined; the extended ones percent-decoded in the first one's charset.
fn rfc2231(segments: &[(u32, bool, &str)]) -> String {
    let mut label = None;
    let mut bytes = Vec::new();
    for (i, &(_, extended, v)) in segments.iter().enumerate() {
        if !extended {
            bytes.extend_from_slice(v.as_bytes());
            continue;
        }
        let mut v = v;
        if i == 0
            && let Some((cs, rest)) = v.split_once('\'')
            && let Some((_lang, text)) = rest.split_once('\'')
        {
            label = Some(cs).filter(|c| !c.is_empty());
            v = text;
        }
        bytes.extend(percent_encoding::percent_decode_str(v));
    }
    charset::decode(label, &bytes)
}

/// `type; a=b; c="d; e"` into lower-cased names and unquoted values (the first item, with
/// no `=`, is skipped).
fn split(value: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut items = Vec::new();
    let (mut current, mut quoted, mut escaped) = (String::new(), false, false);
    for c in value.chars() {
        match c {
            _ if escaped => {
                current.push(c);
                escaped = false;
            }
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ';' if !quoted => items.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    items.push(current);
    for item in items {
        if let Some((name, v)) = item.split_once('=') {
            out.push((name.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc2231_continuations_and_charsets() {
        assert_eq!(
            param(
                "attachment; filename*0*=cp949''%B0%DF; filename*1*=%C0%FB%BC%AD.hwp",
                "filename"
            )
            .as_deref(),
            Some("견적서.hwp")
        );
        assert_eq!(
            param(
                "attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf",
                "filename"
            )
            .as_deref(),
            Some("résumé.pdf")
        );
    }

    #[test]
    fn quoted_and_encoded_values() {
        assert_eq!(
            param(
                "attachment; filename=\t\"=?iso-8859-1?Q?N=B0_1.?= =?iso-8859-1?Q?pdf?=\"; size=6",
                "filename"
            )
            .as_deref(),
            Some("N° 1.pdf")
        );
        assert_eq!(
            param("application/pdf; name=\"a; b.pdf\"", "name").as_deref(),
            Some("a; b.pdf")
        );
    }
}
