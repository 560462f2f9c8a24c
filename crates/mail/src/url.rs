//! Mailbox server URLs as an administrator types them: `imaps://USER:PASS@HOST:PORT/INBOX`
//! for reading and `smtp://HOST:PORT` or `smtps://USER:PASS@HOST:PORT` for sending. Parsed
//! once at the edge; the password never appears in `Debug` or `Display`.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UrlError(String);

/// How the connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// No TLS: allowed only on loopback addresses.
    Plain,
    /// TLS from the first byte (`imaps`, `smtps`).
    Tls,
    /// Plain, then STARTTLS before any credentials (`imap+starttls`, `smtp+starttls`).
    StartTls,
}

/// An IMAP folder to poll, with the account's credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct ImapUrl {
    pub security: Security,
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: String,
    pub folder: String,
}

/// An SMTP server to send through, with optional credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpUrl {
    pub security: Security,
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
    pub password: Option<String>,
}

impl ImapUrl {
    pub fn parse(text: &str) -> Result<Self, UrlError> {
        let parts = Parts::parse(text, "imaps://USER:PASS@HOST:PORT/INBOX")?;
        let (security, default_port) = match parts.scheme.as_str() {
            "imaps" => (Security::Tls, 993),
            "imap" => (Security::Plain, 143),
            "imap+starttls" => (Security::StartTls, 143),
            other => {
                return Err(UrlError(format!(
                    "the IMAP URL must start with imaps:// (or imap:// on loopback), not {other}://"
                )));
            }
        };
        let (Some(user), Some(password)) = (parts.user, parts.password) else {
            return Err(UrlError(
                "the IMAP URL needs the account: imaps://USER:PASS@HOST:PORT/INBOX".into(),
            ));
        };
        let folder = if parts.path.is_empty() {
            "INBOX".to_owned()
        } else {
            parts.path
        };
        let url = Self {
            security,
            port: parts.port.unwrap_or(default_port),
            host: parts.host,
            user,
            password,
            folder,
        };
        check_plain(url.security, &url.host, "imaps")?;
        Ok(url)
    }
}

impl SmtpUrl {
    pub fn parse(text: &str) -> Result<Self, UrlError> {
        let parts = Parts::parse(text, "smtp://HOST:PORT or smtps://USER:PASS@HOST:PORT")?;
        let (security, default_port) = match parts.scheme.as_str() {
            "smtps" => (Security::Tls, 465),
            "smtp" => (Security::Plain, 25),
            "smtp+starttls" => (Security::StartTls, 587),
            other => {
                return Err(UrlError(format!(
                    "the SMTP URL must start with smtp://, smtps:// or smtp+starttls://, not {other}://"
                )));
            }
        };
        if !parts.path.is_empty() {
            return Err(UrlError("the SMTP URL takes no path".into()));
        }
        if parts.user.is_some() != parts.password.is_some() {
            return Err(UrlError(
                "the SMTP URL needs both user and password, or neither".into(),
            ));
        }
        let url = Self {
            security,
            port: parts.port.unwrap_or(default_port),
            host: parts.host,
            user: parts.user,
            password: parts.password,
        };
        // Credentials never travel in the clear off this machine.
        if url.user.is_some() {
            check_plain(url.security, &url.host, "smtps")?;
        }
        Ok(url)
    }
}

/// Plain connections carry passwords in the clear: only to this machine.
fn check_plain(security: Security, host: &str, tls_scheme: &str) -> Result<(), UrlError> {
    if security == Security::Plain && !is_loopback(host) {
        return Err(UrlError(format!(
            "{host} is not this machine: use {tls_scheme}:// (a plain connection would send the password in the clear)"
        )));
    }
    Ok(())
}

pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

struct Parts {
    scheme: String,
    user: Option<String>,
    password: Option<String>,
    host: String,
    port: Option<u16>,
    path: String,
}

impl Parts {
    fn parse(text: &str, example: &str) -> Result<Self, UrlError> {
        let text = text.trim();
        let bad = |why: &str| UrlError(format!("{why} (expected {example})"));
        let (scheme, rest) = text.split_once("://").ok_or_else(|| bad("not a URL"))?;
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let (user, password) = match userinfo {
            Some(info) => {
                let (u, p) = match info.split_once(':') {
                    Some((u, p)) => (u, Some(p)),
                    None => (info, None),
                };
                let u = decode(u).ok_or_else(|| bad("the user name is badly %-encoded"))?;
                let p = p
                    .map(|p| decode(p).ok_or_else(|| bad("the password is badly %-encoded")))
                    .transpose()?;
                (
                    Some(u).filter(|u| !u.is_empty()),
                    p.filter(|p| !p.is_empty()),
                )
            }
            None => (None, None),
        };
        let (host, port) = split_host_port(hostport).map_err(|why| bad(&why))?;
        if host.is_empty() {
            return Err(bad("the URL names no host"));
        }
        let path = decode(path.trim_end_matches('/'))
            .ok_or_else(|| bad("the folder is badly %-encoded"))?;
        Ok(Self {
            scheme: scheme.to_ascii_lowercase(),
            user,
            password,
            host,
            port,
            path,
        })
    }
}

fn split_host_port(hostport: &str) -> Result<(String, Option<u16>), String> {
    let (host, port) = if let Some(rest) = hostport.strip_prefix('[') {
        let (h, after) = rest
            .split_once(']')
            .ok_or("an IPv6 address needs its closing ]")?;
        (h, after.strip_prefix(':'))
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    let port = port
        .map(|p| match p.parse::<u16>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(format!("{p:?} is not a port number")),
        })
        .transpose()?;
    if host
        .chars()
        .any(|c| c.is_whitespace() || matches!(c, '/' | '?' | '#' | '@'))
    {
        return Err(format!("{host:?} is not a host name"));
    }
    Ok((host.to_ascii_lowercase(), port))
}

/// `%XX` decoding; `None` for a broken escape or bytes that are not UTF-8.
fn decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn scheme(security: Security, plain: &'static str) -> String {
    match security {
        Security::Plain => plain.to_owned(),
        Security::Tls => format!("{plain}s"),
        Security::StartTls => format!("{plain}+starttls"),
    }
}

/// The URL with the password replaced by `***`: what logs and listings show.
impl fmt::Display for ImapUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}://{}:***@{}:{}/{}",
            scheme(self.security, "imap"),
            self.user,
            self.host,
            self.port,
            self.folder
        )
    }
}

impl fmt::Debug for ImapUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ImapUrl({self})")
    }
}

impl fmt::Display for SmtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let user = self
            .user
            .as_deref()
            .map(|u| format!("{u}:***@"))
            .unwrap_or_default();
        write!(
            f,
            "{}://{user}{}:{}",
            scheme(self.security, "smtp"),
            self.host,
            self.port
        )
    }
}

impl fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SmtpUrl({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imap_urls_parse_with_defaults_and_hide_the_password() {
        let url = ImapUrl::parse("imaps://desk%40x.org:p%3Ass@mail.x.org/Support")
            .expect("works in the test");
        assert_eq!(
            (url.user.as_str(), url.password.as_str()),
            ("desk@x.org", "p:ss")
        );
        assert_eq!((url.host.as_str(), url.port), ("mail.x.org", 993));
        assert_eq!(url.folder, "Support");
        assert_eq!(
            url.to_string(),
            "imaps://desk@x.org:***@mail.x.org:993/Support"
        );
        assert!(!format!("{url:?}").contains("p:ss"));
        let local = ImapUrl::parse("imap://u:p@127.0.0.1:1143").expect("works in the test");
        assert_eq!((local.port, local.folder.as_str()), (1143, "INBOX"));
    }

    #[test]
    fn bad_urls_say_why() {
        let err = |t: &str| ImapUrl::parse(t).expect_err("refused").to_string();
        assert!(err("mail.x.org").contains("not a URL"));
        assert!(err("pop3://u:p@x.org").contains("imaps://"));
        assert!(err("imaps://x.org/INBOX").contains("needs the account"));
        assert!(err("imaps://u:p@x.org:99999").contains("not a port"));
        assert!(err("imap://u:p@mail.x.org").contains("in the clear"));
        assert!(err("imaps://u:p%zz@x.org").contains("%-encoded"));
        let smtp = |t: &str| SmtpUrl::parse(t).expect_err("refused").to_string();
        assert!(smtp("smtp://u@x.org:25").contains("both user and password"));
        assert!(smtp("smtp://u:p@x.org:25").contains("in the clear"));
        assert!(smtp("smtp://x.org:25/path").contains("no path"));
    }

    #[test]
    fn smtp_urls() {
        let relay = SmtpUrl::parse("smtp://relay.x.org:2525").expect("works in the test");
        assert_eq!((relay.port, relay.user), (2525, None));
        let tls = SmtpUrl::parse("smtps://u:secret@[::1]").expect("works in the test");
        assert_eq!((tls.host.as_str(), tls.port), ("::1", 465));
        assert_eq!(tls.to_string(), "smtps://u:***@::1:465");
    }
}
