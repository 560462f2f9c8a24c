//! What a person actually wrote in a reply: the text without the quoted history below (or
//! above) it and without the signature. The full text is always kept with the stored
//! original; this is only what the ticket's conversation shows.
//!
//! Quoted history is recognised by `>` lines and the line that introduces them ("On … wrote:"
//! in a dozen languages, also when a client wrapped it over two lines), by dividers such as
//! "-----Original Message-----", and by the From/Sent/To block Outlook puts above a quote.

/// Verbs that end the line introducing a quote: English, German, French, Spanish, Italian,
/// Dutch, Scandinavian, Portuguese, Polish, Russian.
const WROTE: [&str; 12] = [
    "wrote:",
    "schrieb:",
    "a écrit :",
    "a écrit:",
    "escribió:",
    "ha scritto:",
    "schreef:",
    "skrev:",
    "escreveu:",
    "napisał:",
    "написал:",
    "написала:",
];

/// Lines after which everything is the earlier message.
const DIVIDERS: [&str; 6] = [
    "-----original message-----",
    "----- original message -----",
    "-------- original message --------",
    "-----ursprüngliche nachricht-----",
    "-----message d'origine-----",
    "________________________________",
];

/// Signature lines mobile clients add.
const MOBILE: [&str; 7] = [
    "sent from my ",
    "sent with sparrow",
    "get outlook for ",
    "von meinem ",
    "envoyé de mon ",
    "enviado desde mi ",
    "sent from mail for windows",
];

/// The reply without quoted history and signature.
pub fn extract(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
    let end = history_start(&lines).unwrap_or(lines.len());
    let lines = &lines[..end];
    let mut dropped = vec![false; lines.len()];
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('>') {
            dropped[i] = true;
        } else if introduces_quote(trimmed) {
            dropped[i] = true;
            // "On Mon, 2 Apr 2012, Bob <bob@" / "example.com> wrote:": the date went first.
            if !trimmed.chars().any(|c| c.is_ascii_digit())
                && i > 0
                && !lines[i - 1].trim().is_empty()
            {
                dropped[i - 1] = true;
            }
        }
    }
    let mut kept: Vec<&str> = lines
        .iter()
        .zip(&dropped)
        .filter(|(_, d)| !**d)
        .map(|(l, _)| *l)
        .collect();
    if let Some(sig) = kept.iter().rposition(|l| matches!(*l, "-- " | "--")) {
        kept.truncate(sig);
    }
    kept.retain(|l| {
        let lower = l.trim().to_lowercase();
        !MOBILE.iter().any(|m| lower.starts_with(m))
    });
    squeeze(&kept)
}

fn introduces_quote(line: &str) -> bool {
    let lower = line.to_lowercase();
    WROTE.iter().any(|w| lower.ends_with(w))
}

/// Where the earlier message starts: a divider, or an Outlook header block.
fn history_start(lines: &[&str]) -> Option<usize> {
    lines.iter().enumerate().find_map(|(i, line)| {
        let lower = line.trim().to_lowercase();
        if DIVIDERS.iter().any(|d| lower.starts_with(d)) {
            return Some(i);
        }
        let starts = |prefixes: &[&str]| {
            lines[i + 1..].iter().take(4).any(|l| {
                prefixes
                    .iter()
                    .any(|p| l.trim_start().to_lowercase().starts_with(p))
            })
        };
        let from =
            lower.starts_with("from:") || lower.starts_with("von:") || lower.starts_with("de :");
        (from
            && starts(&["sent:", "date:", "gesendet:", "envoyé :"])
            && starts(&["to:", "subject:", "an:", "betreff:", "à :"]))
        .then_some(i)
    })
}

/// Trims the ends and keeps at most one empty line in a row.
fn squeeze(lines: &[&str]) -> String {
    let mut out: Vec<&str> = Vec::with_capacity(lines.len());
    for line in lines.iter().map(|l| l.trim_end()) {
        if line.is_empty() && out.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        out.push(line);
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::extract;

    #[test]
    fn keeps_inline_text_and_drops_quotes_around_it() {
        let text = "On 04/02/2012 06:26 PM, Megan One wrote:\n> Hi\nHello\n\n-- \nMegan\nIT desk";
        assert_eq!(extract(text), "Hello");
    }

    #[test]
    fn wrapped_quote_header_in_russian() {
        let text =
            "Hello\n02.04.2012 14:20 пользователь \"bob@x.org\" <\nbob@x.org> написал:\n\n> Hi";
        assert_eq!(extract(text), "Hello");
    }

    #[test]
    fn outlook_header_block_and_plain_text_stay() {
        let text = "Thanks, that fixed it.\n\nFrom: Desk <desk@x.org>\nSent: Monday\nTo: Ana\nSubject: VPN\n\nPlease try again.";
        assert_eq!(extract(text), "Thanks, that fixed it.");
        assert_eq!(
            extract("No quotes here.\nSecond line."),
            "No quotes here.\nSecond line."
        );
    }
}
