//! HTML from mail: sanitized with ammonia before anything stores or shows it, and turned into
//! text for the comment people read. The text keeps paragraphs and line breaks, marks quoted
//! blocks (`<blockquote>`, Gmail's and Outlook's quote containers) with `> ` so the reply
//! extractor treats them like quoted plain text, and drops images and markup.

use std::collections::HashSet;

/// The HTML with scripts, styles, event handlers, forms and remote-loading tricks removed;
/// links keep `rel="noopener noreferrer"`.
pub fn sanitize(html: &str) -> String {
    ammonia::Builder::default()
        .add_generic_attributes(["class"])
        .link_rel(Some("noopener noreferrer"))
        .clean(html)
        .to_string()
}

/// Elements that end a line of text.
const BLOCKS: [&str; 18] = [
    "p",
    "div",
    "br",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "ul",
    "ol",
    "blockquote",
    "pre",
    "hr",
    "dd",
];

/// Text of the (sanitized) HTML.
pub fn to_text(html: &str) -> String {
    let safe = sanitize(html);
    let blocks: HashSet<&str> = BLOCKS.into_iter().collect();
    let mut out = String::with_capacity(safe.len());
    let mut quote_depth = 0usize;
    let mut chars = safe.char_indices().peekable();
    let mut at_line_start = true;
    while let Some((i, c)) = chars.next() {
        if c == '<' {
            let end = safe[i..].find('>').map_or(safe.len(), |e| i + e);
            let tag = &safe[i + 1..end];
            let closing = tag.starts_with('/');
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            let quote = name == "blockquote";
            if quote {
                if closing {
                    quote_depth = quote_depth.saturating_sub(1);
                } else {
                    quote_depth += 1;
                }
            }
            // Every <br> breaks the line; other blocks only start a new one.
            if name == "br" || blocks.contains(name.as_str()) && !out.ends_with('\n') {
                out.push('\n');
                at_line_start = true;
            }
            while chars.peek().is_some_and(|(j, _)| *j <= end) {
                chars.next();
            }
            continue;
        }
        if c == '\n' || c == '\r' {
            // Source line breaks are spaces in HTML.
            if !at_line_start && !out.ends_with(' ') {
                out.push(' ');
            }
            continue;
        }
        if at_line_start {
            for _ in 0..quote_depth {
                out.push_str("> ");
            }
            at_line_start = false;
        }
        if c == '&' {
            let end = safe[i..].find(';').filter(|e| *e <= 10).map(|e| i + e);
            if let Some(end) = end
                && let Some(decoded) = entity(&safe[i + 1..end])
            {
                out.push(decoded);
                while chars.peek().is_some_and(|(j, _)| *j <= end) {
                    chars.next();
                }
                continue;
            }
        }
        out.push(c);
    }
    tidy(&out)
}

/// The entities html5ever's serializer writes, and numeric references.
fn entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "nbsp" => Some(' '),
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

/// Trims every line, and keeps at most one empty line in a row.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.lines().map(str::trim_end) {
        let line = line.trim_start_matches(' ');
        if line.is_empty() || line.chars().all(|c| c == '>' || c == ' ') && line.starts_with('>') {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_handlers_never_survive() {
        let dirty = r#"<p onclick="x()">Hi<script>alert(1)</script><img src=x onerror="alert(2)"></p><a href="javascript:alert(3)">link</a>"#;
        let clean = sanitize(dirty);
        for bad in ["script", "onerror", "onclick", "javascript:"] {
            assert!(!clean.contains(bad), "{bad} survived in {clean}");
        }
    }

    #[test]
    fn text_keeps_lines_and_marks_quotes() {
        let html = "Hello<br><br><div class=\"gmail_quote\">On Mon, Bob wrote:<br><blockquote>Hi &amp; bye<br>old</blockquote></div>";
        assert_eq!(
            to_text(html),
            "Hello\n\nOn Mon, Bob wrote:\n> Hi & bye\n> old"
        );
        assert_eq!(to_text("<p>a&nbsp;b &lt;c&gt; &#233;</p>"), "a b <c> é");
    }
}
