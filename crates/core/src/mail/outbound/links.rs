//! Links in mail: the URL people reach the desk at (`frontline serve --public-url`), and
//! under it each ticket's page: the portal's for requesters, the console's for agents (the
//! routes of `frontline-ui`). The desk cannot know its own public address behind a proxy, so
//! without the setting mail carries no links at all.

use std::sync::Arc;

use frontline_domain::{DomainError, TicketId};

/// An `http(s)://host[:port][/path]` URL without credentials, query or fragment, kept
/// without a trailing `/`. It goes into mail as it is: into text parts unescaped, so it
/// holds no white space, quotes or angle brackets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl(Arc<str>);

impl PublicUrl {
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        // The URL is not repeated: one with a password must not reach a log.
        let bad = |why: &str| DomainError::new("public_url", why);
        let text = text.trim();
        let lower = text.to_ascii_lowercase();
        let (scheme, rest) = if lower.starts_with("https://") {
            ("https", &text[8..])
        } else if lower.starts_with("http://") {
            ("http", &text[7..])
        } else {
            return Err(bad("must start with http:// or https://"));
        };
        if let Some(c) = rest.chars().find(|c| {
            !c.is_ascii_graphic()
                || matches!(
                    c,
                    '"' | '\'' | '<' | '>' | '\\' | '`' | '{' | '}' | '|' | '^'
                )
        }) {
            return Err(bad(&format!(
                "must not hold {c:?}: give the URL percent-encoded, without spaces or quotes"
            )));
        }
        if rest.contains(['?', '#']) {
            return Err(bad(
                "must have no query or fragment: give the desk's base URL",
            ));
        }
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        if authority.contains('@') {
            return Err(bad("must hold no user or password: mail would show them"));
        }
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) if !port.contains(']') => (host, Some(port)),
            _ => (authority, None),
        };
        let host_ok = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            Some(v6) => {
                !v6.is_empty()
                    && v6
                        .chars()
                        .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
            }
            None => {
                !host.is_empty()
                    && host
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            }
        };
        if !host_ok {
            return Err(bad("must name a valid host"));
        }
        if port.is_some_and(|p| p.parse::<u16>().map_or(true, |p| p == 0)) {
            return Err(bad("must have a port from 1 to 65535"));
        }
        let path = path.trim_end_matches('/');
        Ok(Self(format!("{scheme}://{authority}{path}").into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The ticket's page on the portal, where its requester follows it.
    pub fn portal_ticket(&self, id: TicketId) -> String {
        format!("{}/portal/tickets/{id}", self.0)
    }

    /// The ticket's page in the agents' console.
    pub fn console_ticket(&self, id: TicketId) -> String {
        format!("{}/console/tickets/{id}", self.0)
    }
}

impl std::fmt::Display for PublicUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Option<String> {
        PublicUrl::parse(text).ok().map(|u| u.to_string())
    }

    #[test]
    fn base_urls_are_kept_without_a_trailing_slash() {
        assert_eq!(
            parsed(" HTTPS://help.example.org/ ").as_deref(),
            Some("https://help.example.org")
        );
        assert_eq!(
            parsed("http://[::1]:8080/desk/").as_deref(),
            Some("http://[::1]:8080/desk")
        );
        let url = PublicUrl::parse("https://help.example.org/it").expect("valid");
        assert_eq!(
            url.portal_ticket(TicketId::new(7)),
            "https://help.example.org/it/portal/tickets/7"
        );
        assert_eq!(
            url.console_ticket(TicketId::new(7)),
            "https://help.example.org/it/console/tickets/7"
        );
    }

    #[test]
    fn anything_but_a_plain_web_url_is_refused() {
        for bad in [
            "",
            "help.example.org",
            "ftp://help.example.org",
            "javascript:alert(1)",
            "https://",
            "https:///path",
            "https://help.example.org/?a=1",
            "https://help.example.org/#top",
            "https://user:pass@help.example.org",
            "https://help.example.org:99999",
            "https://help.example.org:0",
            "https://help.example.org:x",
            "https://help example.org",
            "https://help.example.org/\"><script>",
            "https://help.example.org/a\nb",
            "https://hélp.example.org",
        ] {
            let error = PublicUrl::parse(bad).expect_err(bad);
            assert_eq!(error.field, "public_url");
        }
    }
}
