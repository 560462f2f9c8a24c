//! The receiving side of SMTP (RFC 5321), for a mail server that relays to the desk: EHLO,
//! MAIL, RCPT, DATA, RSET, NOOP, QUIT, with SIZE, 8BITMIME and PIPELINING.
//!
//! Written here rather than taken from a crate because the desk needs two things none of the
//! maintained ones gives on tokio: refusing a recipient at RCPT time after an asynchronous
//! lookup, and answering 250 to DATA only after an asynchronous durable write. Both are
//! the [`Inbox`] the caller passes in; this module only speaks the protocol.
//!
//! Every message ends in one clear answer to its sender: 250 once it is stored, a 5xx with
//! the reason when the inbox refuses it for good (the sender's server bounces it to the
//! person, who learns why), 451 when storing failed for now (the sender tries again).
//! Nothing is answered 250 and then thrown away.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::BufReader;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};

mod command;
mod wire;

use command::{Session, Step};
use wire::{Line, read_data, read_line, reply};

/// Where accepted mail goes.
pub trait Inbox: Send + Sync + 'static {
    /// Whether mail for `address` (lower-cased) is taken. An error is a temporary failure:
    /// the sender tries again later.
    fn accepts(&self, address: &str) -> impl Future<Output = Result<bool, String>> + Send;

    /// Checks and stores the message durably. `Ok` only once it is safe to acknowledge: the
    /// sender is told 250 after this returns and nothing before.
    fn deliver(
        &self,
        envelope: Envelope,
        data: Vec<u8>,
    ) -> impl Future<Output = Result<(), NotStored>> + Send;
}

/// Why [`Inbox::deliver`] did not store a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotStored {
    /// Refused for good, with the whole reply the sender gets: a 5xx code, an enhanced
    /// status code and the reason (`550 5.6.0 the message could not be read as MIME`).
    Refused(String),
    /// A failure that may pass (the database is away): answered 451, the sender retries.
    Failed(String),
}

/// The SMTP envelope of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// `None` for the null sender (`MAIL FROM:<>`, bounces).
    pub from: Option<String>,
    /// Lower-cased; each one accepted by [`Inbox::accepts`].
    pub to: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Config {
    /// The name the server greets with.
    pub hostname: String,
    /// Largest message, in bytes; larger ones are refused (552) and not stored.
    pub max_message_bytes: usize,
    pub max_recipients: usize,
    /// Sessions served at once; more wait for a free slot.
    pub max_sessions: usize,
    /// A client silent this long is disconnected.
    pub idle_timeout: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            hostname: "frontline".to_owned(),
            max_message_bytes: 25 * 1024 * 1024,
            max_recipients: 100,
            max_sessions: 64,
            idle_timeout: Duration::from_secs(300),
        }
    }
}

/// Longest command line (RFC 5321 allows 512 octets; extensions add some).
const MAX_COMMAND: usize = 2048;

/// Serves SMTP on `listener` until `shutdown` turns true; sessions in flight are finished.
pub async fn serve<I: Inbox>(
    listener: TcpListener,
    inbox: Arc<I>,
    config: Config,
    mut shutdown: watch::Receiver<bool>,
) {
    let config = Arc::new(config);
    let slots = Arc::new(Semaphore::new(config.max_sessions.max(1)));
    let mut sessions = tokio::task::JoinSet::new();
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = shutdown.changed() => break,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(error = %e, "cannot accept an SMTP connection");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let Ok(slot) = slots.clone().acquire_owned().await else {
            break;
        };
        let (inbox, config) = (inbox.clone(), config.clone());
        sessions.spawn(async move {
            if let Err(e) = session(stream, &*inbox, &config).await {
                tracing::debug!(%peer, error = %e, "SMTP session ended with an error");
            }
            drop(slot);
        });
        while sessions.try_join_next().is_some() {}
    }
    while sessions.join_next().await.is_some() {}
}

/// One client's session: the greeting, then a command and its answer at a time until QUIT,
/// the end of the connection, or an idle client.
async fn session<I: Inbox>(stream: TcpStream, inbox: &I, config: &Config) -> std::io::Result<()> {
    let _ = stream.set_nodelay(true);
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    let mut state = Session::default();
    reply(
        &mut write,
        &format!("220 {} ESMTP Frontline", config.hostname),
    )
    .await?;
    let mut line = Vec::with_capacity(256);
    loop {
        line.clear();
        let read = tokio::time::timeout(
            config.idle_timeout,
            read_line(&mut reader, &mut line, MAX_COMMAND),
        )
        .await;
        let too_long = match read {
            Err(_) => {
                return reply(&mut write, "421 4.4.2 idle for too long, closing").await;
            }
            Ok(Err(e)) => return Err(e),
            Ok(Ok(Line::End)) => return Ok(()),
            Ok(Ok(Line::TooLong)) => true,
            Ok(Ok(Line::Complete)) => false,
        };
        if too_long {
            reply(&mut write, "500 5.5.2 line too long").await?;
            continue;
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        let answer = match state.command(text, config) {
            Step::Reply(r) => r,
            Step::Quit => {
                return reply(&mut write, "221 2.0.0 bye").await;
            }
            Step::Check(address) => recipient(inbox, &mut state, address, config).await,
            Step::Data => {
                reply(&mut write, "354 end data with <CR><LF>.<CR><LF>").await?;
                let data = read_data(&mut reader, config).await?;
                message(inbox, &mut state, data, config).await
            }
        };
        reply(&mut write, &answer).await?;
    }
}

/// The answer to RCPT TO: the recipient is added when the inbox takes mail for it and the
/// message has room for one more.
async fn recipient<I: Inbox>(
    inbox: &I,
    state: &mut Session,
    address: String,
    config: &Config,
) -> String {
    match inbox.accepts(&address).await {
        Ok(true) if state.to.len() >= config.max_recipients => {
            "452 4.5.3 too many recipients".to_owned()
        }
        Ok(true) => {
            state.to.push(address);
            "250 2.1.5 OK".to_owned()
        }
        Ok(false) => {
            tracing::info!(recipient = %address, "SMTP recipient refused: no such mailbox");
            format!("550 5.1.1 <{address}>: no such mailbox here")
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot check an SMTP recipient");
            "451 4.3.0 cannot check the recipient now, try again later".to_owned()
        }
    }
}

/// The answer to a message's data (`None`: it was too large): 250 only once the inbox
/// stored it. The envelope is used up either way.
async fn message<I: Inbox>(
    inbox: &I,
    state: &mut Session,
    data: Option<Vec<u8>>,
    config: &Config,
) -> String {
    let envelope = Envelope {
        from: state.from.take().flatten(),
        to: std::mem::take(&mut state.to),
    };
    match data {
        None => format!(
            "552 5.3.4 message larger than {} bytes",
            config.max_message_bytes
        ),
        Some(data) => match inbox.deliver(envelope, data).await {
            Ok(()) => "250 2.0.0 OK: stored".to_owned(),
            Err(NotStored::Refused(reply)) => refusal(reply),
            Err(NotStored::Failed(e)) => {
                tracing::error!(error = %e, "cannot store a message received over SMTP");
                "451 4.3.0 cannot store the message now, try again later".to_owned()
            }
        },
    }
}

/// The reply to a refused message: one line, and a permanent (5xx) one whatever the inbox
/// wrote, so a refusal is never mistaken for a success or a delay.
fn refusal(reply: String) -> String {
    let line: String = reply
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(400)
        .collect();
    let permanent = line.len() > 4
        && line.as_bytes()[0] == b'5'
        && line.as_bytes()[1..3].iter().all(u8::is_ascii_digit)
        && line.as_bytes()[3] == b' ';
    let line = if permanent {
        line
    } else {
        format!("550 5.6.0 {}", line.trim())
    };
    tracing::info!(reply = %line, "SMTP message refused");
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_one_permanent_line() {
        assert_eq!(
            refusal("552 5.3.4 too many files".into()),
            "552 5.3.4 too many files"
        );
        assert_eq!(
            refusal("250 OK\r\nsneaky".into()),
            "550 5.6.0 250 OK  sneaky",
            "never a success, never two lines"
        );
        assert!(refusal("no code".into()).starts_with("550 5.6.0 "));
    }
}
