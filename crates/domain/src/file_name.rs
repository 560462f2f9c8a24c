//! The name an attached file is shown and sent under, made safe once where it comes in (an
//! email, an upload): a sender chooses it, and it travels on into pages, downloads and mail
//! that other people's programs save to disk.
//!
//! What is kept is a display name: the last path component only (`../../x`, `/etc/passwd`
//! and `C:\Users\x\a.doc` become `x`, `passwd` and `a.doc`), without control characters or
//! the bidirectional and invisible formatting marks that make `exe.txt` read as `txt.exe`,
//! without the leading dots that hide a file or climb a directory, trimmed, and at most
//! [`FileName::MAX_BYTES`] bytes, keeping the extension when it is cut. The name as sent
//! stays in the stored raw message.

use std::fmt;

/// A safe display name for an attached file: never empty, never a path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FileName(String);

/// The longest extension kept whole when a long name is cut (`.docx`, `.tar.gz` is `.gz`).
const MAX_EXTENSION_BYTES: usize = 16;

impl FileName {
    /// Longest name in bytes (what common file systems allow).
    pub const MAX_BYTES: usize = 255;

    /// The safe form of `raw`, or `None` when nothing of it is left (`..`, `/`, only marks).
    pub fn parse(raw: &str) -> Option<Self> {
        let visible: String = raw
            .chars()
            .filter_map(|c| match c {
                '\t' | '\n' | '\r' => Some(' '),
                c if c.is_control() || is_format_mark(c) => None,
                c => Some(c),
            })
            .collect();
        let last = visible.rsplit(['/', '\\']).next().unwrap_or_default();
        let name = trim(last);
        (!name.is_empty()).then(|| Self(cut(name, Self::MAX_BYTES)))
    }

    /// [`FileName::parse`], else `attachment-{n}` (the file's place, counted from 1).
    pub fn or_numbered(raw: Option<&str>, n: usize) -> Self {
        raw.and_then(Self::parse)
            .unwrap_or_else(|| Self(format!("attachment-{n}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for FileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for FileName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Invisible characters that reorder or hide what is shown: the bidirectional embeddings,
/// overrides and isolates, the directional marks, zero-width characters and line separators.
fn is_format_mark(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
    )
}

/// Whitespace off both ends; leading dots (hidden files, `..`) and trailing dots (which
/// Windows drops) too.
fn trim(name: &str) -> &str {
    name.trim_matches(|c: char| c.is_whitespace() || c == '.')
}

/// At most `max` bytes, cut at a character boundary before the extension when there is one.
fn cut(name: &str, max: usize) -> String {
    if name.len() <= max {
        return name.to_owned();
    }
    let extension = name
        .rfind('.')
        .map(|i| &name[i..])
        .filter(|e| e.len() <= MAX_EXTENSION_BYTES && !e.contains(' '))
        .unwrap_or("");
    let stem = &name[..name.len() - extension.len()];
    let mut end = max - extension.len();
    while !stem.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{extension}", trim(&stem[..end]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn safe(raw: &str) -> Option<String> {
        FileName::parse(raw).map(FileName::into_string)
    }

    #[test]
    fn paths_become_their_last_component() {
        assert_eq!(safe("../../x").as_deref(), Some("x"));
        assert_eq!(safe("/etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(safe("C:\\Users\\x\\a.doc").as_deref(), Some("a.doc"));
        assert_eq!(safe("..\\..\\boot.ini").as_deref(), Some("boot.ini"));
        assert_eq!(safe("dir/").as_deref(), None);
    }

    #[test]
    fn hidden_and_empty_names_are_refused() {
        for raw in [
            "",
            "  ",
            ".",
            "..",
            "...",
            "/",
            "\\",
            "\u{202E}",
            "\u{0}\u{7}",
        ] {
            assert_eq!(safe(raw), None, "{raw:?}");
        }
        assert_eq!(safe(".bashrc").as_deref(), Some("bashrc"));
        assert_eq!(safe(" ..hidden.txt ").as_deref(), Some("hidden.txt"));
    }

    #[test]
    fn control_and_bidi_characters_are_removed() {
        // "invoice\u{202E}fdp.exe" shows as "invoiceexe.pdf" in a right-to-left override.
        assert_eq!(
            safe("invoice\u{202E}fdp.exe").as_deref(),
            Some("invoicefdp.exe")
        );
        for mark in [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{2066}', '\u{2067}', '\u{2068}',
            '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}', '\u{0}', '\u{1B}', '\u{7F}', '\u{85}',
            '\u{9B}',
        ] {
            assert_eq!(
                safe(&format!("a{mark}b.txt")).as_deref(),
                Some("ab.txt"),
                "{mark:?}"
            );
        }
        assert_eq!(safe("two\nlines.txt").as_deref(), Some("two lines.txt"));
    }

    #[test]
    fn ordinary_names_are_kept() {
        for raw in [
            "Übersicht März.pdf",
            "申請書.docx",
            "パスワード.txt",
            "a.b.c",
            "x",
        ] {
            assert_eq!(safe(raw).as_deref(), Some(raw));
        }
    }

    #[test]
    fn long_names_keep_their_extension() {
        let name = safe(&format!("{}.pdf", "é".repeat(300))).unwrap_or_default();
        assert!(name.len() <= FileName::MAX_BYTES, "{}", name.len());
        assert!(name.ends_with("é.pdf"), "{name}");
        let plain = safe(&"x".repeat(400)).unwrap_or_default();
        assert_eq!(plain.len(), FileName::MAX_BYTES);
    }

    #[test]
    fn nothing_left_is_numbered() {
        assert_eq!(
            FileName::or_numbered(Some(".."), 2).as_str(),
            "attachment-2"
        );
        assert_eq!(FileName::or_numbered(None, 1).as_str(), "attachment-1");
        assert_eq!(FileName::or_numbered(Some("a.txt"), 1).as_str(), "a.txt");
    }

    proptest! {
        #[test]
        fn every_name_is_safe(raw in any::<String>()) {
            if let Some(name) = FileName::parse(&raw) {
                let s = name.as_str();
                prop_assert!(!s.is_empty() && s.len() <= FileName::MAX_BYTES);
                prop_assert!(!s.contains(['/', '\\']));
                prop_assert!(!s.starts_with('.') && s.trim() == s);
                prop_assert!(!s.chars().any(|c| c.is_control() || is_format_mark(c)));
                // Safe names pass through unchanged.
                prop_assert_eq!(FileName::parse(s), Some(name.clone()));
            }
        }

        #[test]
        fn plain_names_are_unchanged(
            stem in "[A-Za-z0-9][A-Za-z0-9 _()-]{0,60}[A-Za-z0-9]",
            ext in "[a-z0-9]{1,5}",
        ) {
            let raw = format!("{stem}.{ext}");
            prop_assert_eq!(safe(&raw), Some(raw.clone()));
        }

        #[test]
        fn cut_names_keep_the_extension(len in 256usize..2000, ext in "[a-z]{1,8}") {
            let name = safe(&format!("{}.{ext}", "ü".repeat(len))).unwrap_or_default();
            prop_assert!(name.len() <= FileName::MAX_BYTES);
            let dotted = format!(".{}", ext);
            prop_assert!(name.ends_with(&dotted));
        }
    }
}
