//! What the queue and the search read from their URLs alike: where a page starts (the sort
//! key of the previous page's last ticket, `.`-joined), the link to the next page, text
//! parameters trimmed and cut to size, and a ticket number as people type it.

use frontline_domain::TicketId;

use crate::error::UiError;

fn parse_after(text: &str) -> Option<Vec<i64>> {
    text.split('.').map(|n| n.parse().ok()).collect()
}

/// Where the page starts, from the URL's `after`; none for the first page.
pub(crate) fn after_of(after: Option<&str>) -> Result<Option<Vec<i64>>, UiError> {
    match after {
        None | Some("") => Ok(None),
        Some(text) => parse_after(text).map(Some).ok_or_else(|| {
            UiError::BadRequest("That page does not exist; start from the first.".into())
        }),
    }
}

/// The link to the page of `base` that starts after the ticket with sort key `key`.
pub(crate) fn page_link(base: &str, key: &[i64]) -> String {
    let key: Vec<String> = key.iter().map(i64::to_string).collect();
    format!("{base}&after={}", key.join("."))
}

/// A text parameter without surrounding blanks and at most `max` characters; `None` when
/// absent or blank.
pub(crate) fn trimmed(v: &Option<String>, max: usize) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| t.chars().take(max).collect())
}

/// The ticket number a text is, when it is one: `42` or `#42`.
pub(crate) fn ticket_number(text: &str) -> Option<TicketId> {
    let digits = text.strip_prefix('#').unwrap_or(text);
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|n| *n > 0).map(TicketId::new)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::encode;

    #[test]
    fn page_positions_and_filters_read_back() {
        assert_eq!(
            parse_after("3.1700000000.42"),
            Some(vec![3, 1_700_000_000, 42])
        );
        assert_eq!(parse_after("3.x"), None);
        assert!(after_of(Some("3.x")).is_err());
        assert_eq!(after_of(Some("")).ok(), Some(None));
        assert_eq!(
            page_link("/console?queue=open", &[3, 42]),
            "/console?queue=open&after=3.42"
        );
        assert_eq!(trimmed(&Some("  vpn  ".into()), 2).as_deref(), Some("vp"));
        assert_eq!(trimmed(&Some("   ".into()), 2), None);
        assert_eq!(encode("vpn & wifi/5", false), "vpn%20%26%20wifi%2F5");
        assert_eq!(ticket_number("#42"), Some(TicketId::new(42)));
        assert_eq!(ticket_number("42"), Some(TicketId::new(42)));
        for no in ["", "#", "0", "+5", "4 2", "99999999999999999999"] {
            assert_eq!(ticket_number(no), None, "{no:?}");
        }
    }
}
