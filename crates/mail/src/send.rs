//! Sending: a composed message handed to the mailbox's SMTP server over a pooled lettre
//! transport (TLS, STARTTLS or plain, as the mailbox's URL says; password or XOAUTH2
//! sign-in). The only code that talks to an SMTP server as a client.
//!
//! Sending tells a permanent refusal (a 5xx reply: no such user, message refused) from
//! trouble worth another try (server down, timeouts, 4xx), so the outbox retries only what
//! can succeed later.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::transport::smtp::{AsyncSmtpTransport, PoolConfig};
use lettre::{AsyncTransport, Message, Tokio1Executor};

use crate::outbound::{Outgoing, SendError, compose};
use crate::url::{Security, SmtpUrl};

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

/// Puts `outgoing` into MIME and sends it through `server`, signing in as its URL says. A
/// message that cannot be built is a permanent failure.
pub async fn send_outgoing(server: &SmtpUrl, outgoing: &Outgoing) -> Result<(), SendError> {
    let message = compose(outgoing)?;
    send(server, &SmtpAuth::of(server), &message).await
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
}
