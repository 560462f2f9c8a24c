//! Outbound mail: a message the desk rendered, put into MIME (`compose`) and handed to the
//! mailbox's SMTP server (`send`). Knows nothing of tickets: the caller says who, what and
//! which Message-IDs thread it.
//!
//! Sending tells a permanent refusal (a 5xx reply: no such user, message refused) from
//! trouble worth another try (server down, timeouts, 4xx), so the outbox retries only what
//! can succeed later.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox as LettreMailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::transport::smtp::{AsyncSmtpTransport, PoolConfig};
use lettre::{AsyncTransport, Message, Tokio1Executor};

use crate::url::{Security, SmtpUrl};

/// A message ready to be put into MIME.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub from: String,
    /// The name shown with the sender address.
    pub from_name: Option<String>,
    pub to: Vec<String>,
    /// The name shown with the (first) recipient's address.
    pub to_name: Option<String>,
    pub subject: String,
    /// Without angle brackets.
    pub message_id: String,
    pub in_reply_to: Option<String>,
    /// Oldest first, without angle brackets.
    pub references: Vec<String>,
    /// RFC 3834: `auto-generated` or `auto-replied`; `None` for mail a person's action wrote.
    pub auto_submitted: Option<String>,
    pub text: String,
    pub html: Option<String>,
    /// Files sent along, in this order, after the text.
    pub attachments: Vec<OutgoingAttachment>,
}

/// A file sent with a message.
#[derive(Clone, PartialEq, Eq)]
pub struct OutgoingAttachment {
    pub filename: String,
    /// As uploaded; `application/octet-stream` stands in for one that does not parse.
    pub content_type: String,
    pub data: Vec<u8>,
}

impl std::fmt::Debug for OutgoingAttachment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "OutgoingAttachment({:?}, {}, {} bytes)",
            self.filename,
            self.content_type,
            self.data.len()
        )
    }
}

/// Longest file name put in a header (as long as the desk keeps).
const MAX_FILENAME_CHARS: usize = 255;
/// Longest display name put in a header; a longer one is cut (at a character boundary).
const MAX_NAME_CHARS: usize = 120;

/// A person's or desk's name as a header may show it: control characters (CR and LF would
/// start a new header) become spaces, runs of white space one, and an empty result none.
/// Quotes and non-ASCII letters stay: lettre quotes the former and encodes the latter
/// (RFC 2047).
pub fn display_name(name: &str) -> Option<String> {
    let line = one_line(name, MAX_NAME_CHARS);
    (!line.is_empty()).then_some(line)
}

/// `text` as one line of at most `max` characters: control characters become spaces, runs
/// of white space one space, and the ends are trimmed.
pub fn one_line(text: &str, max: usize) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(max)
        .collect()
}

/// How the desk signs in to its SMTP server.
#[derive(Clone, PartialEq, Eq)]
pub enum SmtpAuth {
    /// No AUTH (a relay that trusts this host).
    None,
    Password {
        user: String,
        password: String,
    },
    /// SASL XOAUTH2 with an OAuth access token (Microsoft 365, Google Workspace).
    Xoauth2 {
        user: String,
        token: String,
    },
}

impl std::fmt::Debug for SmtpAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SmtpAuth::None => f.write_str("None"),
            SmtpAuth::Password { user, .. } => write!(f, "Password({user}, ***)"),
            SmtpAuth::Xoauth2 { user, .. } => write!(f, "Xoauth2({user}, ***)"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The server refused the message for good (5xx), or it cannot be built at all.
    #[error("{0}")]
    Permanent(String),
    /// Worth another attempt later: no connection, a timeout, a 4xx reply.
    #[error("{0}")]
    Transient(String),
}

/// `Auto-Submitted` (RFC 3834): lettre has no type for it.
#[derive(Debug, Clone)]
struct AutoSubmitted(String);

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.trim().to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// Asks other automatic responders not to answer (Microsoft's header for RFC 3834's idea).
#[derive(Debug, Clone)]
struct SuppressAutoResponse;

impl Header for SuppressAutoResponse {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("X-Auto-Response-Suppress")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "All".to_owned())
    }
}

impl SmtpAuth {
    /// How `server`'s URL says to sign in: its user and password, or, when the user ends in
    /// `;AUTH=XOAUTH2` (as in RFC 5092's IMAP URLs), that user with the password as an OAuth
    /// access token: `smtp+starttls://desk%40x.org;AUTH=XOAUTH2:TOKEN@smtp.x.org:587`.
    pub fn of(server: &SmtpUrl) -> Self {
        let (Some(user), Some(secret)) = (&server.user, &server.password) else {
            return SmtpAuth::None;
        };
        let marker = ";auth=xoauth2";
        let lower = user.to_ascii_lowercase();
        match lower.strip_suffix(marker) {
            Some(_) => SmtpAuth::Xoauth2 {
                user: user[..user.len() - marker.len()].to_owned(),
                token: secret.clone(),
            },
            None => SmtpAuth::Password {
                user: user.clone(),
                password: secret.clone(),
            },
        }
    }
}

/// A new Message-ID (without brackets) for mail from `domain`: unguessable, so nobody can
/// thread a message onto a ticket by guessing the ids the desk sent.
pub fn new_message_id(label: &str, domain: &str) -> String {
    let token: u128 = rand::random();
    format!("frontline.{label}.{token:032x}@{domain}")
}

/// The message in MIME: text and, when given, HTML as alternatives.
pub fn compose(o: &Outgoing) -> Result<Message, SendError> {
    let bad = |what: &str, e: &dyn std::fmt::Display| {
        SendError::Permanent(format!("cannot build the message: {what}: {e}"))
    };
    let from: LettreMailbox = LettreMailbox::new(
        o.from_name.as_deref().and_then(display_name),
        o.from.parse().map_err(|e| bad("sender", &e))?,
    );
    let mut builder = Message::builder()
        .from(from)
        .subject(o.subject.clone())
        .message_id(Some(format!("<{}>", o.message_id)));
    for (i, to) in o.to.iter().enumerate() {
        let address = to
            .parse()
            .map_err(|e| bad(&format!("recipient {to}"), &e))?;
        let name = (i == 0)
            .then(|| o.to_name.as_deref().and_then(display_name))
            .flatten();
        builder = builder.to(LettreMailbox::new(name, address));
    }
    if let Some(id) = &o.in_reply_to {
        builder = builder.in_reply_to(format!("<{id}>"));
    }
    if !o.references.is_empty() {
        let refs: Vec<String> = o.references.iter().map(|r| format!("<{r}>")).collect();
        builder = builder.references(refs.join(" "));
    }
    if let Some(kind) = &o.auto_submitted {
        builder = builder
            .header(AutoSubmitted(kind.clone()))
            .header(SuppressAutoResponse);
    }
    let text = SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .body(o.text.clone());
    let message = match (&o.html, o.attachments.is_empty()) {
        (Some(html), true) => builder.multipart(alternative(text, html)),
        (None, true) => builder.singlepart(text),
        (html, false) => {
            let mut mixed = match html {
                Some(html) => MultiPart::mixed().multipart(alternative(text, html)),
                None => MultiPart::mixed().singlepart(text),
            };
            for a in &o.attachments {
                mixed = mixed.singlepart(attachment(a));
            }
            builder.multipart(mixed)
        }
    };
    message.map_err(|e| bad("headers", &e))
}

fn alternative(text: SinglePart, html: &str) -> MultiPart {
    MultiPart::alternative().singlepart(text).singlepart(
        SinglePart::builder()
            .header(ContentType::TEXT_HTML)
            .body(html.to_owned()),
    )
}

/// One file as a MIME part: its name (RFC 2231 when not ASCII) in Content-Disposition, its
/// type as uploaded when that parses, base64 (lettre picks it for binary content).
fn attachment(a: &OutgoingAttachment) -> SinglePart {
    let content_type = ContentType::parse(a.content_type.trim())
        .or_else(|_| ContentType::parse("application/octet-stream"));
    let filename = Some(one_line(&a.filename, MAX_FILENAME_CHARS))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "attachment".to_owned());
    let part = Attachment::new(filename);
    match content_type {
        Ok(ct) => part.body(a.data.clone(), ct),
        // The literal above always parses; a part without a type is still a file.
        Err(_) => part.body(a.data.clone(), ContentType::TEXT_PLAIN),
    }
}

/// Sends `message` through `server`, reusing a pooled connection to it when one is open.
pub async fn send(server: &SmtpUrl, auth: &SmtpAuth, message: &Message) -> Result<(), SendError> {
    let transport = transport(server, auth)?;
    match transport.send(message.clone()).await {
        Ok(_) => Ok(()),
        Err(e) if e.is_permanent() => Err(SendError::Permanent(format!(
            "{server} refused the message: {e}"
        ))),
        Err(e) => Err(SendError::Transient(format!(
            "cannot send through {server}: {}",
            error_chain(&e)
        ))),
    }
}

/// The error with its causes ("Connection refused" hides in a source).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

type Transport = AsyncSmtpTransport<Tokio1Executor>;

/// One pooled transport per server and account, for the life of the process.
fn transport(server: &SmtpUrl, auth: &SmtpAuth) -> Result<Transport, SendError> {
    static TRANSPORTS: OnceLock<Mutex<HashMap<String, Transport>>> = OnceLock::new();
    let key = format!("{server}|{auth:?}|{}", secret(auth));
    let map = TRANSPORTS.get_or_init(Default::default);
    if let Ok(guard) = map.lock()
        && let Some(t) = guard.get(&key)
    {
        return Ok(t.clone());
    }
    let built = build_transport(server, auth)?;
    if let Ok(mut guard) = map.lock() {
        guard.insert(key, built.clone());
    }
    Ok(built)
}

/// Tells accounts apart in the pool's key without keeping the secret readable there.
fn secret(auth: &SmtpAuth) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    match auth {
        SmtpAuth::None => 0.hash(&mut h),
        SmtpAuth::Password { password, .. } => password.hash(&mut h),
        SmtpAuth::Xoauth2 { token, .. } => token.hash(&mut h),
    }
    h.finish()
}

fn build_transport(server: &SmtpUrl, auth: &SmtpAuth) -> Result<Transport, SendError> {
    let tls = match server.security {
        Security::Plain => Tls::None,
        Security::Tls => Tls::Wrapper(tls_parameters(&server.host)?),
        Security::StartTls => Tls::Required(tls_parameters(&server.host)?),
    };
    let hello = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .ok()
        .filter(|h| !h.is_empty())
        .map_or_else(ClientId::default, ClientId::Domain);
    let mut builder = Transport::builder_dangerous(server.host.clone())
        .port(server.port)
        .tls(tls)
        .hello_name(hello)
        .timeout(Some(Duration::from_secs(30)))
        .pool_config(
            PoolConfig::new()
                .max_size(4)
                .idle_timeout(Duration::from_secs(30)),
        );
    builder = match auth {
        SmtpAuth::None => builder,
        SmtpAuth::Password { user, password } => builder
            .credentials(Credentials::new(user.clone(), password.clone()))
            .authentication(vec![Mechanism::Plain, Mechanism::Login]),
        SmtpAuth::Xoauth2 { user, token } => builder
            .credentials(Credentials::new(user.clone(), token.clone()))
            .authentication(vec![Mechanism::Xoauth2]),
    };
    Ok(builder.build())
}

/// rustls with the system's roots, plus the PEM file `FRONTLINE_MAIL_CA_FILE` names (as
/// for IMAP). The host name is always checked.
fn tls_parameters(host: &str) -> Result<TlsParameters, SendError> {
    let mut builder = TlsParameters::builder(host.to_owned());
    if let Some(path) = std::env::var_os("FRONTLINE_MAIL_CA_FILE") {
        let pem = std::fs::read(&path).map_err(|e| {
            SendError::Transient(format!(
                "cannot read FRONTLINE_MAIL_CA_FILE {}: {e}",
                path.display()
            ))
        })?;
        let cert = Certificate::from_pem(&pem).map_err(|e| {
            SendError::Transient(format!("FRONTLINE_MAIL_CA_FILE {}: {e}", path.display()))
        })?;
        builder = builder.add_root_certificate(cert);
    }
    builder
        .build_rustls()
        .map_err(|e| SendError::Transient(format!("TLS set-up for {host} failed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Outgoing {
        Outgoing {
            from: "help@example.org".into(),
            from_name: Some("Example Help Desk".into()),
            to: vec!["bob@example.org".into()],
            to_name: Some("Bob \"the Builder\" Ørsted\r\nBcc: evil@x.org".into()),
            subject: "[#42] VPN drops — Réponse".into(),
            message_id: new_message_id("ack.42", "example.org"),
            in_reply_to: Some("abc@client.example".into()),
            references: vec!["root@client.example".into(), "abc@client.example".into()],
            auto_submitted: Some("auto-generated".into()),
            text: "Reply above this line\n\nWe got it.".into(),
            html: Some("<p>We got it.</p>".into()),
            attachments: Vec::new(),
        }
    }

    #[test]
    fn composed_mail_carries_threading_and_loop_headers() {
        let o = sample();
        let raw = String::from_utf8(compose(&o).expect("builds").formatted()).expect("utf-8");
        assert!(raw.contains(&format!("Message-ID: <{}>", o.message_id)));
        assert!(raw.contains("In-Reply-To: <abc@client.example>"));
        assert!(raw.contains("References: <root@client.example> <abc@client.example>"));
        assert!(raw.contains("Auto-Submitted: auto-generated"));
        assert!(raw.contains("multipart/alternative"));
        let parsed = crate::parse(raw.as_bytes(), 1 << 20).expect("parses back");
        assert_eq!(parsed.subject, o.subject);
        assert_eq!(parsed.message_id.as_deref(), Some(o.message_id.as_str()));
        assert_eq!(parsed.automatic, Some(crate::Automatic::AutoReply));
    }

    #[test]
    fn names_are_encoded_and_cannot_add_headers() {
        let o = sample();
        let raw = String::from_utf8(compose(&o).expect("builds").formatted()).expect("utf-8");
        assert!(!raw.contains("\r\nBcc:"), "{raw}");
        assert!(
            raw.contains("=?utf-8?"),
            "the non-ASCII name is encoded: {raw}"
        );
        let parsed = crate::parse(raw.as_bytes(), 1 << 20).expect("parses back");
        assert_eq!(
            parsed.to[0].name.as_deref(),
            Some("Bob \"the Builder\" Ørsted Bcc: evil@x.org")
        );
        assert_eq!(parsed.from.name.as_deref(), Some("Example Help Desk"));
        assert_eq!(display_name(" \r\n\t "), None);
    }

    #[test]
    fn attachments_follow_the_alternative() {
        let o = Outgoing {
            attachments: vec![
                OutgoingAttachment {
                    filename: "Übersicht März.pdf".into(),
                    content_type: "application/pdf".into(),
                    data: vec![0, 1, 2, 255],
                },
                OutgoingAttachment {
                    filename: "log.txt".into(),
                    content_type: "not a type".into(),
                    data: b"line\n".to_vec(),
                },
            ],
            ..sample()
        };
        let raw = compose(&o).expect("builds").formatted();
        let text = String::from_utf8_lossy(&raw);
        assert!(text.contains("multipart/mixed"), "{text}");
        assert!(text.contains("multipart/alternative"), "{text}");
        let parsed = crate::parse(&raw, 1 << 20).expect("parses back");
        assert_eq!(parsed.attachments.len(), 2, "{text}");
        assert_eq!(parsed.attachments[0].filename, "Übersicht März.pdf");
        assert_eq!(parsed.attachments[0].content_type, "application/pdf");
        assert_eq!(parsed.attachments[0].data, vec![0, 1, 2, 255]);
        assert_eq!(
            parsed.attachments[1].content_type,
            "application/octet-stream"
        );
        assert!(parsed.text.contains("We got it."), "{}", parsed.text);
    }

    #[test]
    fn a_bad_recipient_is_permanent() {
        let o = Outgoing {
            to: vec!["not an address".into()],
            ..sample()
        };
        assert!(matches!(compose(&o), Err(SendError::Permanent(_))));
    }

    #[test]
    fn xoauth2_is_named_in_the_user() {
        let url = SmtpUrl::parse("smtps://desk%40x.org;AUTH=XOAUTH2:tok@smtp.x.org")
            .expect("valid in the test");
        assert_eq!(
            SmtpAuth::of(&url),
            SmtpAuth::Xoauth2 {
                user: "desk@x.org".into(),
                token: "tok".into()
            }
        );
        let url = SmtpUrl::parse("smtps://desk:pw@smtp.x.org").expect("valid in the test");
        assert!(matches!(SmtpAuth::of(&url), SmtpAuth::Password { .. }));
        let url = SmtpUrl::parse("smtp://127.0.0.1:25").expect("valid in the test");
        assert_eq!(SmtpAuth::of(&url), SmtpAuth::None);
    }

    #[test]
    fn message_ids_differ() {
        assert_ne!(new_message_id("a", "x.org"), new_message_id("a", "x.org"));
    }
}
