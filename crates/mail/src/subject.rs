//! Subjects: the ticket tag Frontline puts in every subject it sends (`[#1042]`), which a
//! reply carries back, and the reply prefixes mail clients add in many languages.

use frontline_domain::TicketId;

/// The ticket number in a `[#1042]` tag, if the subject has one.
pub fn ticket_tag(subject: &str) -> Option<TicketId> {
    let mut rest = subject;
    while let Some(start) = rest.find("[#") {
        let after = &rest[start + 2..];
        if let Some(end) = after.find(']') {
            let digits = &after[..end];
            if !digits.is_empty()
                && digits.len() <= 18
                && digits.bytes().all(|b| b.is_ascii_digit())
            {
                return digits.parse().ok();
            }
        }
        rest = after;
    }
    None
}

/// The subject with a ticket tag put in front (unless it has that tag already).
pub fn with_tag(subject: &str, ticket: TicketId) -> String {
    if ticket_tag(subject) == Some(ticket) {
        subject.to_owned()
    } else {
        format!("[#{ticket}] {subject}")
    }
}

/// The subject without `Re:`, `Fwd:`, `AW:`, `WG:`, `SV:`, `Antw:` … prefixes and ticket tags.
pub fn base(subject: &str) -> &str {
    const PREFIXES: [&str; 11] = [
        "re", "fw", "fwd", "aw", "wg", "sv", "vs", "antw", "tr", "rif", "odp",
    ];
    let mut s = subject.trim();
    loop {
        let before = s;
        if let Some(rest) = s.strip_prefix("[#")
            && let Some(end) = rest.find(']')
        {
            s = rest[end + 1..].trim_start();
        }
        if let Some(colon) = s.find(':') {
            let word = s[..colon].trim().to_ascii_lowercase();
            // `Re[2]:` and `Re(2):` count too.
            let word = word.split(['[', '(']).next().unwrap_or_default();
            if PREFIXES.contains(&word) {
                s = s[colon + 1..].trim_start();
            }
        }
        if s == before {
            return s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_found_and_added_once() {
        assert_eq!(
            ticket_tag("Re: [#1042] VPN drops"),
            Some(TicketId::new(1042))
        );
        assert_eq!(ticket_tag("[#x] [#7] two tags"), Some(TicketId::new(7)));
        assert_eq!(ticket_tag("Invoice #1042 [1042]"), None);
        assert_eq!(ticket_tag("[#] [#99999999999999999999]"), None);
        assert_eq!(with_tag("VPN drops", TicketId::new(5)), "[#5] VPN drops");
        assert_eq!(
            with_tag("Re: [#5] VPN drops", TicketId::new(5)),
            "Re: [#5] VPN drops"
        );
    }

    #[test]
    fn reply_prefixes_in_many_languages() {
        assert_eq!(base("Re: RE: Fwd: Printer"), "Printer");
        assert_eq!(base("AW: WG: [#12] Drucker"), "Drucker");
        assert_eq!(base("Re[2]: SV: Skrivare"), "Skrivare");
        assert_eq!(base("Regarding: the plan"), "Regarding: the plan");
    }
}
