//! Text a person types, parsed once at the edge: email addresses, subjects, tags, category paths.

use std::fmt;

use crate::DomainError;

/// A mailbox address, lower-cased so one person is one account however they type it.
///
/// The rule is RFC 5321's, less its rarities: a local part of 1–64 characters without
/// spaces or `@` (no quoted local parts), and a domain that is either one or more labels
/// of letters, digits and inner hyphens (1–63 characters each, dots between; a domain
/// without a dot such as `localhost` is valid mail, as from `root@localhost`) or an address
/// literal, `[192.0.2.1]` or `[IPv6:2001:db8::1]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &str, text: &str) -> Result<Self, DomainError> {
        let text = text.trim();
        let bad = || DomainError::new(field, "must be an email address such as ana@example.org");
        if text.len() > 254 || text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (local, domain) = text.rsplit_once('@').ok_or_else(bad)?;
        if local.is_empty() || local.len() > 64 || local.contains('@') || !domain_ok(domain) {
            return Err(bad());
        }
        Ok(Self(text.to_lowercase()))
    }

    /// Text that was an `Email` once already (what the store holds, what a rule's facts carry
    /// as text): taken as it is, without checking it again on every read.
    pub fn from_parsed(text: String) -> Self {
        Self(text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, d)| d)
    }

    /// The part before the `@`, as a fallback display name.
    pub fn local_part(&self) -> &str {
        self.0.split_once('@').map_or(&self.0, |(l, _)| l)
    }
}

impl std::ops::Deref for Email {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for Email {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Email {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for Email {
    fn eq(&self, other: &String) -> bool {
        self.0 == *other
    }
}

impl PartialEq<Email> for &str {
    fn eq(&self, other: &Email) -> bool {
        *self == other.0
    }
}

impl serde::Serialize for Email {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A domain name (labels of letters, digits and inner hyphens) or an address literal.
fn domain_ok(domain: &str) -> bool {
    if let Some(literal) = domain.strip_prefix('[').and_then(|d| d.strip_suffix(']')) {
        return match literal.get(..5) {
            Some(tag) if tag.eq_ignore_ascii_case("IPv6:") => {
                literal[5..].parse::<std::net::Ipv6Addr>().is_ok()
            }
            _ => literal.parse::<std::net::Ipv4Addr>().is_ok(),
        };
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.chars().count() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    domain.len() <= 253 && domain.split('.').all(label_ok)
}

/// Trimmed, non-empty, at most `max` characters, no control characters but newlines and tabs
/// where `multiline`.
pub fn clean_text(
    field: &str,
    text: &str,
    max: usize,
    multiline: bool,
) -> Result<String, DomainError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(DomainError::new(field, "must not be empty"));
    }
    if trimmed.chars().count() > max {
        return Err(DomainError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    let allowed = |c: char| !c.is_control() || (multiline && matches!(c, '\n' | '\r' | '\t'));
    if !trimmed.chars().all(allowed) {
        return Err(DomainError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(trimmed.to_owned())
}

/// A ticket's one-line summary.
///
/// One bound for every channel, so a ticket opened by mail can be saved unchanged over the
/// API: 2,000 characters. Mail subjects run long (forwarded chains, "RE: FW: " prefixes,
/// alert mail naming hosts and paths) and RFC 5322 folds a header over as many lines as it
/// needs, so no mail a person sends is cut; the bound only keeps a machine from filling a
/// queue row with a megabyte. Lists and notifications shorten what they show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject(String);

impl Subject {
    pub const MAX: usize = 2_000;

    pub fn parse(text: &str) -> Result<Self, DomainError> {
        clean_text("subject", text, Self::MAX, false).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// A label on a ticket: lower case, no spaces, at most 50 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(String);

impl Tag {
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let tag = text.trim().to_lowercase();
        let ok = !tag.is_empty()
            && tag.chars().count() <= 50
            && tag
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '/'));
        if ok {
            Ok(Self(tag))
        } else {
            Err(DomainError::new(
                "tags",
                format!("{text:?} is not a tag: use letters, digits and - _ . : / (at most 50)"),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A category's place in the tree, written `Hardware/Laptop`: the names from the root down.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CategoryPath(String);

impl CategoryPath {
    pub fn parse(field: &str, text: &str) -> Result<Self, DomainError> {
        let parts: Vec<&str> = text.split('/').map(str::trim).collect();
        let ok = parts.len() <= 5
            && parts.iter().all(|p| {
                !p.is_empty() && p.chars().count() <= 60 && !p.chars().any(char::is_control)
            });
        if ok {
            Ok(Self(parts.join("/")))
        } else {
            Err(DomainError::new(
                field,
                "must be a category path such as Hardware/Laptop (at most 5 levels of 60 characters)",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The path of the parent category, if this is not a root.
    pub fn parent(&self) -> Option<CategoryPath> {
        self.0
            .rsplit_once('/')
            .map(|(parent, _)| CategoryPath(parent.to_owned()))
    }

    pub fn name(&self) -> &str {
        self.0.rsplit_once('/').map_or(&self.0, |(_, n)| n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn emails_are_lower_cased_and_checked() {
        assert_eq!(
            Email::parse("e", " Ana.Lopez@Example.ORG ").map(|e| e.to_string()),
            Ok("ana.lopez@example.org".to_owned())
        );
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.org",
            "a b@example.org",
            "ana@ex..org",
            "ana@.example.org",
            "ana@example.org.",
            "ana@-example.org",
            "ana@[300.1.1.1]",
            "ana@[example.org]",
            "ana@[IPv6:not-an-ip]",
            "ana@exa_mple.org",
        ] {
            assert!(Email::parse("e", bad).is_err(), "{bad}");
        }
        // RFC 5321: a dotless domain (local mail such as cron's) and address literals.
        for good in [
            "root@localhost",
            "ana@example",
            "ana@[192.0.2.1]",
            "ana@[IPv6:2001:db8::1]",
        ] {
            assert!(Email::parse("e", good).is_ok(), "{good}");
        }
    }

    #[test]
    fn subjects_are_trimmed_and_bounded() {
        assert_eq!(
            Subject::parse("  VPN down ").map(Subject::into_string),
            Ok("VPN down".into())
        );
        assert!(Subject::parse("   ").is_err());
        assert!(Subject::parse(&"x".repeat(2_000)).is_ok());
        assert!(Subject::parse(&"x".repeat(2_001)).is_err());
        assert!(Subject::parse("two\nlines").is_err());
    }

    #[test]
    fn tags_are_normalised() {
        assert_eq!(
            Tag::parse(" VPN ").map(|t| t.as_str().to_owned()),
            Ok("vpn".into())
        );
        assert!(Tag::parse("two words").is_err());
        assert!(Tag::parse("").is_err());
    }

    #[test]
    fn category_paths_know_their_parent() {
        let p = CategoryPath::parse("category", "Hardware / Laptop");
        assert_eq!(p.as_ref().map(CategoryPath::as_str), Ok("Hardware/Laptop"));
        assert_eq!(p.as_ref().map(|p| p.name()), Ok("Laptop"));
        assert_eq!(
            p.ok().and_then(|p| p.parent()).map(|p| p.0),
            Some("Hardware".into())
        );
        assert!(CategoryPath::parse("category", "Hardware//Laptop").is_err());
    }

    proptest! {
        #[test]
        fn email_parsing_never_panics_and_is_idempotent(s in "\\PC{0,80}") {
            if let Ok(e) = Email::parse("e", &s) {
                prop_assert_eq!(Email::parse("e", e.as_str()), Ok(e.clone()));
            }
        }

        #[test]
        fn tag_parsing_is_idempotent(s in "[A-Za-z0-9 _.:/-]{0,60}") {
            if let Ok(t) = Tag::parse(&s) {
                prop_assert_eq!(Tag::parse(t.as_str()), Ok(t.clone()));
            }
        }
    }
}
