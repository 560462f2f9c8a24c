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

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};

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
            Step::Check(address) => match inbox.accepts(&address).await {
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
            },
            Step::Data => {
                reply(&mut write, "354 end data with <CR><LF>.<CR><LF>").await?;
                let data = read_data(&mut reader, config).await?;
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
        };
        reply(&mut write, &answer).await?;
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

/// What a command line asks of the connection.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    Reply(String),
    /// RCPT for this address: ask the inbox.
    Check(String),
    /// DATA accepted: read the message.
    Data,
    Quit,
}

/// The protocol state between commands.
#[derive(Debug, Default)]
struct Session {
    greeted: bool,
    /// `Some(None)` after `MAIL FROM:<>`.
    from: Option<Option<String>>,
    to: Vec<String>,
}

impl Session {
    fn command(&mut self, line: &str, config: &Config) -> Step {
        let (verb, rest) = line.split_once(' ').unwrap_or((line, ""));
        let ok = |text: &str| Step::Reply(text.to_owned());
        match verb.to_ascii_uppercase().as_str() {
            "EHLO" => {
                self.reset();
                self.greeted = true;
                Step::Reply(format!(
                    "250-{}\r\n250-SIZE {}\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n250 PIPELINING",
                    config.hostname, config.max_message_bytes
                ))
            }
            "HELO" => {
                self.reset();
                self.greeted = true;
                Step::Reply(format!("250 {}", config.hostname))
            }
            "MAIL" if !self.greeted => ok("503 5.5.1 say EHLO first"),
            "MAIL" if self.from.is_some() => ok("503 5.5.1 nested MAIL command"),
            "MAIL" => match path_arg(rest, "FROM:") {
                Some((path, params)) => {
                    if let Some(size) = size_param(params)
                        && size > config.max_message_bytes
                    {
                        return Step::Reply(format!(
                            "552 5.3.4 message larger than {} bytes",
                            config.max_message_bytes
                        ));
                    }
                    self.from = Some((!path.is_empty()).then_some(path));
                    ok("250 2.1.0 OK")
                }
                None => ok("501 5.5.4 syntax: MAIL FROM:<address>"),
            },
            "RCPT" if self.from.is_none() => ok("503 5.5.1 need MAIL before RCPT"),
            "RCPT" => match path_arg(rest, "TO:") {
                Some((path, _)) if path.contains('@') => Step::Check(path),
                _ => ok("501 5.5.4 syntax: RCPT TO:<address>"),
            },
            "DATA" if self.to.is_empty() => ok("503 5.5.1 need RCPT before DATA"),
            "DATA" => Step::Data,
            "RSET" => {
                self.reset();
                ok("250 2.0.0 OK")
            }
            "NOOP" => ok("250 2.0.0 OK"),
            "QUIT" => Step::Quit,
            "VRFY" => ok("252 2.5.0 cannot verify, but will accept"),
            "STARTTLS" | "AUTH" | "BDAT" => ok("502 5.5.1 not offered here"),
            _ => ok("500 5.5.2 unknown command"),
        }
    }

    fn reset(&mut self) {
        self.from = None;
        self.to.clear();
    }
}

/// `FROM:<a@b> PARAMS` → (`a@b` lower-cased, `PARAMS`).
fn path_arg<'a>(rest: &'a str, prefix: &str) -> Option<(String, &'a str)> {
    let head = rest.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let rest = rest[prefix.len()..].trim_start();
    let rest = rest.strip_prefix('<')?;
    let end = rest.find('>')?;
    let path = &rest[..end];
    // A source route (`@a,@b:user@c`) names the user after the colon.
    let path = path.rsplit_once(':').map_or(path, |(_, p)| p);
    if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    Some((path.to_lowercase(), rest[end + 1..].trim()))
}

fn size_param(params: &str) -> Option<usize> {
    params
        .split_whitespace()
        .find_map(|p| {
            p.get(..5)
                .filter(|k| k.eq_ignore_ascii_case("SIZE="))
                .map(|_| &p[5..])
        })
        .and_then(|n| n.parse().ok())
}

enum Line {
    Complete,
    TooLong,
    /// The client closed the connection.
    End,
}

/// Reads up to and including `\n`, keeping at most `limit` bytes (the rest of a longer line
/// is read and dropped).
async fn read_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    out: &mut Vec<u8>,
    limit: usize,
) -> std::io::Result<Line> {
    let mut overflow = false;
    loop {
        let buf = reader.fill_buf().await?;
        if buf.is_empty() {
            return Ok(if out.is_empty() && !overflow {
                Line::End
            } else {
                Line::Complete
            });
        }
        let (take, done) = match buf.iter().position(|b| *b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        let room = limit.saturating_sub(out.len());
        if take > room {
            overflow = true;
        }
        out.extend_from_slice(&buf[..take.min(room)]);
        reader.consume(take);
        if done {
            return Ok(if overflow {
                Line::TooLong
            } else {
                Line::Complete
            });
        }
    }
}

/// The message after DATA, dot-unstuffed, with CRLF line ends; `None` when it was larger
/// than allowed (it is read to its end and dropped, so the session can go on).
async fn read_data<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    config: &Config,
) -> std::io::Result<Option<Vec<u8>>> {
    let mut data = Vec::new();
    let mut too_large = false;
    let mut line = Vec::with_capacity(1024);
    loop {
        line.clear();
        let read = tokio::time::timeout(config.idle_timeout, read_line(reader, &mut line, 1 << 20))
            .await
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "idle in DATA"))??;
        if let Line::End = read {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the client left during DATA",
            ));
        }
        let content = line
            .strip_suffix(b"\r\n")
            .or_else(|| line.strip_suffix(b"\n"))
            .unwrap_or(&line);
        if content == b"." {
            return Ok((!too_large).then_some(data));
        }
        let content = content.strip_prefix(b".").unwrap_or(content);
        if too_large || data.len() + content.len() + 2 > config.max_message_bytes {
            too_large = true;
            data = Vec::new();
            continue;
        }
        data.extend_from_slice(content);
        data.extend_from_slice(b"\r\n");
    }
}

/// One write per reply: two small writes would wait on the client's delayed ACK (Nagle).
async fn reply<W: AsyncWrite + Unpin>(write: &mut W, text: &str) -> std::io::Result<()> {
    let mut line = Vec::with_capacity(text.len() + 2);
    line.extend_from_slice(text.as_bytes());
    line.extend_from_slice(b"\r\n");
    write.write_all(&line).await?;
    write.flush().await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(session: &mut Session, line: &str) -> Step {
        session.command(line, &Config::default())
    }

    fn code(step: Step) -> String {
        match step {
            Step::Reply(r) => r[..3].to_owned(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn commands_in_order_and_out_of_order() {
        let mut s = Session::default();
        assert_eq!(code(run(&mut s, "MAIL FROM:<a@x.org>")), "503");
        assert!(matches!(run(&mut s, "EHLO client"), Step::Reply(r) if r.contains("SIZE")));
        assert_eq!(code(run(&mut s, "RCPT TO:<desk@x.org>")), "503");
        assert_eq!(code(run(&mut s, "DATA")), "503");
        assert_eq!(
            code(run(&mut s, "mail from:<A@X.org> BODY=8BITMIME")),
            "250"
        );
        assert_eq!(s.from, Some(Some("a@x.org".into())));
        assert_eq!(code(run(&mut s, "MAIL FROM:<b@x.org>")), "503");
        assert_eq!(
            run(&mut s, "RCPT TO:<Desk@X.org>"),
            Step::Check("desk@x.org".into())
        );
        assert_eq!(code(run(&mut s, "RCPT TO:desk@x.org")), "501");
        assert_eq!(code(run(&mut s, "RCPT TO:<postmaster>")), "501");
        assert_eq!(
            code(run(&mut s, "DATA")),
            "503",
            "no recipient was accepted yet"
        );
        s.to.push("desk@x.org".into());
        assert_eq!(run(&mut s, "DATA"), Step::Data);
        assert_eq!(code(run(&mut s, "RSET")), "250");
        assert!(s.from.is_none() && s.to.is_empty());
        assert_eq!(code(run(&mut s, "MAIL FROM:<>")), "250");
        assert_eq!(s.from, Some(None), "the null sender of a bounce");
        assert_eq!(code(run(&mut s, "STARTTLS")), "502");
        assert_eq!(code(run(&mut s, "HELP ME")), "500");
        assert_eq!(run(&mut s, "QUIT"), Step::Quit);
    }

    #[test]
    fn announced_size_over_the_limit_is_refused_at_mail() {
        let mut s = Session::default();
        run(&mut s, "EHLO c");
        let config = Config {
            max_message_bytes: 1000,
            ..Config::default()
        };
        assert!(
            matches!(s.command("MAIL FROM:<a@x.org> SIZE=5000", &config), Step::Reply(r) if r.starts_with("552"))
        );
        assert!(
            matches!(s.command("MAIL FROM:<a@x.org> SIZE=500", &config), Step::Reply(r) if r.starts_with("250"))
        );
    }

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

    #[tokio::test]
    async fn data_is_unstuffed_and_limited() {
        let config = Config {
            max_message_bytes: 40,
            ..Config::default()
        };
        let input = b"Subject: x\r\n\r\n..leading dot\nbare LF\r\n.\r\nNEXT";
        let mut reader = BufReader::new(&input[..]);
        let data = read_data(&mut reader, &config)
            .await
            .expect("works in the test");
        assert_eq!(
            data.as_deref(),
            Some(&b"Subject: x\r\n\r\n.leading dot\r\nbare LF\r\n"[..])
        );
        let big = format!("{}\r\n.\r\nQUIT\r\n", "y".repeat(100));
        let mut reader = BufReader::new(big.as_bytes());
        assert_eq!(
            read_data(&mut reader, &config)
                .await
                .expect("works in the test"),
            None
        );
        let mut rest = Vec::new();
        read_line(&mut reader, &mut rest, 100)
            .await
            .expect("works in the test");
        assert_eq!(
            rest, b"QUIT\r\n",
            "the session goes on after a refused message"
        );
    }
}
