//! Mending a message before it is parsed, where a sender broke the syntax in a way other
//! readers forgive: a header block with no blank line after it, at the top or in a MIME part.
//! As in CPython's email package, the first line that is neither a header field nor a folded
//! continuation starts the body; without the mend the body was read as headers and lost.
//! Lines of blanks before the first header (which made the message unreadable) are dropped.
//! The message as received is stored untouched; only the copy that is read is mended.

use std::borrow::Cow;

/// At most this many boundaries are looked for (a real message nests a handful).
const MAX_BOUNDARIES: usize = 32;

/// `raw` with a blank line put where a header block ends without one, and without blank
/// lines before its first header.
pub(crate) fn mend(raw: &[u8]) -> Cow<'_, [u8]> {
    let mut inserts = Vec::new();
    // Lines of blanks before the first header (CPython reads them as folded nothing).
    let mut skip = 0;
    while skip < raw.len() {
        let end = line_end(raw, skip);
        let line = trim_line(&raw[skip..end]);
        if line.is_empty() || !line.iter().all(|b| matches!(b, b' ' | b'\t')) {
            break;
        }
        skip = end;
    }
    // The top: only a block that starts with a header (else it is no message to mend).
    if let Some(at) = missing_separator(raw, skip, true) {
        inserts.push(at);
    }
    let boundaries = boundaries(raw);
    if !boundaries.is_empty() {
        let mut pos = 0;
        while pos < raw.len() {
            let end = line_end(raw, pos);
            let line = trim_line(&raw[pos..end]);
            if boundaries.iter().any(|b| is_delimiter(line, b))
                && let Some(at) = missing_separator(raw, end, false)
            {
                inserts.push(at);
            }
            pos = end;
        }
    }
    if inserts.is_empty() && skip == 0 {
        return Cow::Borrowed(raw);
    }
    inserts.sort_unstable();
    inserts.dedup();
    let crlf = raw.windows(2).any(|w| w == b"\r\n");
    let mut out = Vec::with_capacity(raw.len() + inserts.len() * 2);
    let mut from = skip;
    for at in inserts.into_iter().filter(|&at| at >= skip) {
        out.extend_from_slice(&raw[from..at]);
        out.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
        from = at;
    }
    out.extend_from_slice(&raw[from..]);
    Cow::Owned(out)
}

/// Where the header block starting at `start` should have ended: the offset of its first
/// line that is not a header, when that comes before any blank line. A MIME part's block may
/// be empty (its body starts at once); the top one must hold a header first.
fn missing_separator(raw: &[u8], start: usize, need_header: bool) -> Option<usize> {
    let mut pos = start;
    let mut headers = 0;
    while pos < raw.len() {
        let end = line_end(raw, pos);
        let line = trim_line(&raw[pos..end]);
        if line.is_empty() {
            return None;
        }
        let folded = headers > 0 && matches!(line[0], b' ' | b'\t');
        let header =
            folded || is_field(line) || (need_header && headers == 0 && line.starts_with(b"From "));
        // A stray line with fields after it is a broken header line (mail-parser skips it);
        // one with none after it is where the body starts.
        if !header && !fields_follow(raw, end) {
            return (headers > 0 || !need_header).then_some(pos);
        }
        headers += 1;
        pos = end;
    }
    None
}

/// `name:` with a name of printable ASCII but the colon (RFC 5322's field name), blanks
/// allowed before the colon (its obsolete syntax).
fn is_field(line: &[u8]) -> bool {
    field_colon(line).is_some()
}

/// Where the colon of a field line is.
fn field_colon(line: &[u8]) -> Option<usize> {
    let name_len = line
        .iter()
        .take_while(|&&b| (33..=126).contains(&b) && b != b':')
        .count();
    let blanks = line[name_len..]
        .iter()
        .take_while(|&&b| matches!(b, b' ' | b'\t'))
        .count();
    (name_len > 0 && line.get(name_len + blanks) == Some(&b':')).then_some(name_len + blanks)
}

/// Whether a line that surely is a field (`Name: value`, not `http://`) comes before the
/// next blank line.
fn fields_follow(raw: &[u8], mut pos: usize) -> bool {
    while pos < raw.len() {
        let end = line_end(raw, pos);
        let line = trim_line(&raw[pos..end]);
        if line.is_empty() {
            return false;
        }
        let after = field_colon(line).map(|c| line.get(c + 1));
        if matches!(after, Some(None | Some(b' ' | b'\t'))) {
            return true;
        }
        pos = end;
    }
    false
}

/// The offset just after the line starting at `pos` (past its line break).
fn line_end(raw: &[u8], pos: usize) -> usize {
    raw[pos..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(raw.len(), |i| pos + i + 1)
}

fn trim_line(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// `--boundary`, not the closing `--boundary--` (after which no part follows).
fn is_delimiter(line: &[u8], boundary: &[u8]) -> bool {
    let rest = line
        .strip_prefix(b"--")
        .and_then(|l| l.strip_prefix(boundary));
    rest.is_some_and(|r| r.iter().all(|b| matches!(b, b' ' | b'\t')))
}

/// The boundary parameters anywhere in the message (quoted or not).
fn boundaries(raw: &[u8]) -> Vec<Vec<u8>> {
    const KEY: &[u8] = b"boundary=";
    let mut out: Vec<Vec<u8>> = Vec::new();
    let mut i = 0;
    while i + KEY.len() <= raw.len() && out.len() < MAX_BOUNDARIES {
        if !raw[i..i + KEY.len()].eq_ignore_ascii_case(KEY) {
            i += 1;
            continue;
        }
        let rest = &raw[i + KEY.len()..];
        let value: &[u8] = match rest.strip_prefix(b"\"") {
            Some(q) => &q[..q.iter().position(|&b| b == b'"').unwrap_or(0)],
            None => {
                let n = rest
                    .iter()
                    .take_while(|&&b| !matches!(b, b';' | b' ' | b'\t' | b'\r' | b'\n'))
                    .count();
                &rest[..n]
            }
        };
        if !value.is_empty() && !out.iter().any(|b| b == value) {
            out.push(value.to_vec());
        }
        i += KEY.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mended(raw: &str) -> String {
        String::from_utf8_lossy(&mend(raw.as_bytes())).into_owned()
    }

    #[test]
    fn a_body_right_after_the_headers_is_set_apart() {
        assert_eq!(
            mended("From: a@example.org\nSubject: x\n  folded\nthe body\n"),
            "From: a@example.org\nSubject: x\n  folded\n\nthe body\n"
        );
        assert_eq!(
            mended("From: a@example.org\r\nthe body\r\n"),
            "From: a@example.org\r\n\r\nthe body\r\n"
        );
    }

    #[test]
    fn a_part_without_its_blank_line_is_set_apart() {
        let raw = "Content-Type: multipart/mixed; boundary=foo\n\n--foo\nContent-Type: text/plain\nbar\n--foo\n\nbaz\n--foo--\n";
        assert_eq!(
            mended(raw),
            "Content-Type: multipart/mixed; boundary=foo\n\n--foo\nContent-Type: text/plain\n\nbar\n--foo\n\nbaz\n--foo--\n"
        );
    }

    #[test]
    fn a_stray_line_among_headers_is_not_the_body() {
        for raw in [
            "Received: from x\nby localhost with SMTP\nFrom: a@example.org\n\nbody\n",
            "From  : a@example.org\nTo    : b@example.org\nSubject : s\n\nbody\n",
        ] {
            assert!(matches!(mend(raw.as_bytes()), Cow::Borrowed(_)), "{raw}");
        }
        assert_eq!(
            mended("From: a@example.org\nsee the page\nhttp://example.org/x\n"),
            "From: a@example.org\n\nsee the page\nhttp://example.org/x\n"
        );
    }

    #[test]
    fn blank_lines_before_the_headers_are_dropped() {
        assert_eq!(
            mended("   \r\nFrom: a@example.org\r\n\r\nbody\r\n"),
            "From: a@example.org\r\n\r\nbody\r\n"
        );
    }

    #[test]
    fn well_formed_messages_are_left_alone() {
        for raw in [
            "From: a@example.org\n\nbody: with a colon\n",
            "From: a@example.org\n",
            "not a message at all\n",
            "Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nx\n--b--\n",
        ] {
            assert!(matches!(mend(raw.as_bytes()), Cow::Borrowed(_)), "{raw}");
        }
    }
}
