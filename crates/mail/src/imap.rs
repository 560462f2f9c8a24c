//! Reading a mailbox folder over IMAP (async-imap): log in, select the folder, list the UIDs
//! after the last one the desk stored, fetch messages without marking them read
//! (`BODY.PEEK[]`), flag them `\Seen` once the desk has stored them, and wait for new mail
//! with IDLE where the server offers it.
//!
//! The caller decides what "stored" means; this module never flags a message on its own.
//!
//! The account signs in with its password (LOGIN), or with an OAuth 2.0 access token (SASL
//! XOAUTH2, what Microsoft 365 and Google Workspace require) when the URL's user ends in
//! `;AUTH=XOAUTH2`, as in RFC 5092's IMAP URLs and the desk's SMTP URLs: then the URL's
//! password is the token, `imaps://desk%40x.org;AUTH=XOAUTH2:TOKEN@outlook.office365.com/INBOX`.

use std::fmt::Debug;
use std::time::Duration;

use async_imap::types::UnsolicitedResponse;
use async_imap::{Client, Session};
use futures_util::TryStreamExt;
use tokio::net::TcpStream;
use tokio::sync::watch;

pub use crate::tls::Io;
use crate::url::{ImapUrl, Security};

#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    #[error("cannot connect to {0}: {1}")]
    Connect(String, std::io::Error),
    #[error("the IMAP server refused the login: {0}")]
    Login(String),
    #[error("the IMAP server did not answer within {0:?}")]
    Timeout(Duration),
    #[error("IMAP: {0}")]
    Protocol(String),
    #[error("TLS: {0}")]
    Tls(String),
}

impl From<crate::tls::TlsError> for ImapError {
    fn from(e: crate::tls::TlsError) -> Self {
        ImapError::Tls(e.to_string())
    }
}

impl From<async_imap::error::Error> for ImapError {
    fn from(e: async_imap::error::Error) -> Self {
        ImapError::Protocol(e.to_string())
    }
}

/// A message as fetched: its UID and its bytes.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub uid: u32,
    pub raw: Vec<u8>,
}

/// A selected folder on a logged-in session.
pub struct Folder {
    session: Session<Box<dyn Io>>,
    pub uidvalidity: u32,
    idle: bool,
    timeout: Duration,
}

impl Debug for Folder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Folder")
            .field("uidvalidity", &self.uidvalidity)
            .field("idle", &self.idle)
            .finish()
    }
}

impl Folder {
    /// Connects, logs in and selects the URL's folder; every step within `timeout`.
    pub async fn open(url: &ImapUrl, timeout: Duration) -> Result<Self, ImapError> {
        let client = within(timeout, connect(url, timeout)).await??;
        let mut session = match Credentials::of(url) {
            Credentials::Password { user, password } => {
                within(timeout, client.login(user, password))
                    .await?
                    .map_err(|(e, _)| ImapError::Login(e.to_string()))?
            }
            Credentials::Xoauth2 { user, token } => {
                let mut auth = XOAuth2::new(user, token);
                let result = within(timeout, client.authenticate("XOAUTH2", &mut auth)).await?;
                result.map_err(|(e, _)| {
                    // The server's reason comes as a JSON challenge before the refusal.
                    let detail = auth.refusal.map(|r| format!(" ({r})")).unwrap_or_default();
                    ImapError::Login(format!("XOAUTH2 token for {user} refused: {e}{detail}"))
                })?
            }
        };
        let idle = within(timeout, session.capabilities())
            .await??
            .has_str("IDLE");
        let mailbox = within(timeout, session.select(&url.folder)).await??;
        let uidvalidity = mailbox.uid_validity.ok_or_else(|| {
            ImapError::Protocol(format!("the folder {} has no UIDVALIDITY", url.folder))
        })?;
        Ok(Self {
            session,
            uidvalidity,
            idle,
            timeout,
        })
    }

    /// UIDs above `last`, ascending. (`UID SEARCH UID n:*` also names the highest UID when it
    /// is below `n`; that one is left out.)
    ///
    /// The server's earlier news of the folder (`EXISTS`, which the search answers anyway) is
    /// dropped first, so what [`Folder::wait`] finds waiting came after this search.
    pub async fn uids_after(&mut self, last: u32) -> Result<Vec<u32>, ImapError> {
        while self.session.unsolicited_responses.try_recv().is_ok() {}
        let query = format!("UID {}:*", last.saturating_add(1));
        let mut uids: Vec<u32> = within(self.timeout, self.session.uid_search(query))
            .await??
            .into_iter()
            .filter(|u| *u > last)
            .collect();
        uids.sort_unstable();
        Ok(uids)
    }

    /// The sizes of `uids` in bytes, as the server reports them.
    pub async fn sizes(&mut self, uids: &[u32]) -> Result<Vec<(u32, u32)>, ImapError> {
        let set = uid_set(uids);
        let fetches = within(self.timeout, async {
            self.session
                .uid_fetch(set, "(UID RFC822.SIZE)")
                .await?
                .try_collect::<Vec<_>>()
                .await
        })
        .await??;
        Ok(fetches
            .iter()
            .filter_map(|f| Some((f.uid?, f.size?)))
            .collect())
    }

    /// The messages `uids`, without setting `\Seen`, in UID order.
    pub async fn fetch(&mut self, uids: &[u32]) -> Result<Vec<Fetched>, ImapError> {
        if uids.is_empty() {
            return Ok(Vec::new());
        }
        let set = uid_set(uids);
        let fetches = within(self.timeout, async {
            self.session
                .uid_fetch(set, "(UID BODY.PEEK[])")
                .await?
                .try_collect::<Vec<_>>()
                .await
        })
        .await??;
        let mut out: Vec<Fetched> = fetches
            .iter()
            .filter_map(|f| {
                Some(Fetched {
                    uid: f.uid?,
                    raw: f.body()?.to_vec(),
                })
            })
            .collect();
        out.sort_by_key(|f| f.uid);
        Ok(out)
    }

    /// Flags `uids` `\Seen`: call only once the desk has stored them.
    pub async fn mark_seen(&mut self, uids: &[u32]) -> Result<(), ImapError> {
        if uids.is_empty() {
            return Ok(());
        }
        let set = uid_set(uids);
        within(self.timeout, async {
            self.session
                .uid_store(set, "+FLAGS.SILENT (\\Seen)")
                .await?
                .try_collect::<Vec<_>>()
                .await
        })
        .await??;
        Ok(())
    }

    /// Waits up to `max` for the folder to change: with IDLE where the server offers it, else
    /// by sleeping. Returns `None` when `shutdown` turned true meanwhile (logged out).
    pub async fn wait(
        mut self,
        max: Duration,
        shutdown: &mut watch::Receiver<bool>,
    ) -> Result<Option<Self>, ImapError> {
        if !self.idle {
            tokio::select! {
                _ = tokio::time::sleep(max) => {}
                _ = shutdown.changed() => {
                    self.logout().await;
                    return Ok(None);
                }
            }
            within(self.timeout, self.session.noop()).await??;
            return Ok(Some(self));
        }
        let timeout = self.timeout;
        let news = self.session.unsolicited_responses.clone();
        let mut handle = self.session.idle();
        within(timeout, handle.init()).await??;
        // Mail that arrived between the last search and IDLE is announced before IDLE starts
        // (with another command's answer, or just before the server's go-ahead), and IDLE
        // does not announce it again: without this look it would wait for the next message.
        let mut arrived = false;
        while let Ok(response) = news.try_recv() {
            arrived |= matches!(
                response,
                UnsolicitedResponse::Exists(_) | UnsolicitedResponse::Recent(_)
            );
        }
        if arrived {
            self.session = within(timeout, handle.done()).await??;
            return Ok(Some(self));
        }
        let stopped = {
            let (wait, _stop) = handle.wait_with_timeout(max);
            tokio::select! {
                r = wait => { r?; false }
                _ = shutdown.changed() => true,
            }
        };
        self.session = within(timeout, handle.done()).await??;
        if stopped {
            self.logout().await;
            return Ok(None);
        }
        Ok(Some(self))
    }

    pub async fn logout(mut self) {
        let _ = within(self.timeout, self.session.logout()).await;
    }
}

/// How the URL says to sign in.
#[derive(Debug, PartialEq, Eq)]
enum Credentials<'a> {
    Password { user: &'a str, password: &'a str },
    Xoauth2 { user: &'a str, token: &'a str },
}

impl<'a> Credentials<'a> {
    fn of(url: &'a ImapUrl) -> Self {
        const MARKER: &str = ";auth=xoauth2";
        let user = url.user.as_str();
        match user.len().checked_sub(MARKER.len()) {
            Some(cut) if user.is_char_boundary(cut) && user[cut..].eq_ignore_ascii_case(MARKER) => {
                Credentials::Xoauth2 {
                    user: &user[..cut],
                    token: &url.password,
                }
            }
            _ => Credentials::Password {
                user,
                password: &url.password,
            },
        }
    }
}

/// SASL XOAUTH2: the user and token in the first answer; a refusal comes as a challenge
/// with the server's reason in JSON, which is kept and answered empty (RFC 7628 3.2.3).
struct XOAuth2 {
    first: Option<String>,
    refusal: Option<String>,
}

impl XOAuth2 {
    fn new(user: &str, token: &str) -> Self {
        Self {
            first: Some(format!("user={user}\x01auth=Bearer {token}\x01\x01")),
            refusal: None,
        }
    }
}

impl async_imap::Authenticator for &mut XOAuth2 {
    type Response = String;

    fn process(&mut self, challenge: &[u8]) -> String {
        match self.first.take() {
            Some(credentials) => credentials,
            None => {
                let reason: String = String::from_utf8_lossy(challenge)
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(300)
                    .collect();
                self.refusal = Some(reason);
                String::new()
            }
        }
    }
}

/// A client that has read the server's greeting, over TLS unless the URL says plain.
async fn connect(url: &ImapUrl, timeout: Duration) -> Result<Client<Box<dyn Io>>, ImapError> {
    let addr = format!("{}:{}", url.host, url.port);
    let tcp = TcpStream::connect((url.host.as_str(), url.port))
        .await
        .map_err(|e| ImapError::Connect(addr.clone(), e))?;
    let _ = tcp.set_nodelay(true);
    let stream: Box<dyn Io> = match url.security {
        Security::Plain => Box::new(tcp),
        Security::Tls => crate::tls::connect(tcp, &url.host).await?,
        Security::StartTls => {
            let mut client = Client::new(tcp);
            greeting(&mut client, timeout).await?;
            within(timeout, client.run_command_and_check_ok("STARTTLS", None))
                .await?
                .map_err(|e| ImapError::Tls(format!("STARTTLS refused: {e}")))?;
            // No greeting follows STARTTLS.
            let tls = crate::tls::connect(client.into_inner(), &url.host).await?;
            return Ok(Client::new(tls));
        }
    };
    let mut client = Client::new(stream);
    greeting(&mut client, timeout).await?;
    Ok(client)
}

async fn greeting<T: Io>(client: &mut Client<T>, timeout: Duration) -> Result<(), ImapError> {
    within(timeout, client.read_response())
        .await?
        .map_err(|e| ImapError::Protocol(format!("no greeting: {e}")))?
        .ok_or_else(|| ImapError::Protocol("the server closed before greeting".into()))?;
    Ok(())
}

/// `1,5,7`: an explicit UID set.
fn uid_set(uids: &[u32]) -> String {
    uids.iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

async fn within<F: std::future::Future>(limit: Duration, f: F) -> Result<F::Output, ImapError> {
    tokio::time::timeout(limit, f)
        .await
        .map_err(|_| ImapError::Timeout(limit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_names_the_way_to_sign_in() {
        let url = |text: &str| ImapUrl::parse(text).expect("valid in the test");
        let password = url("imaps://desk%40x.org:pw@imap.x.org/INBOX");
        assert_eq!(
            Credentials::of(&password),
            Credentials::Password {
                user: "desk@x.org",
                password: "pw"
            }
        );
        let oauth = url("imaps://desk%40x.org;AUTH=XOAUTH2:tok@imap.x.org/INBOX");
        assert_eq!(
            Credentials::of(&oauth),
            Credentials::Xoauth2 {
                user: "desk@x.org",
                token: "tok"
            }
        );
        // The URL as the desk stores it, with `;` and `=` %-encoded, means the same.
        let stored = url("imaps://desk%40x.org%3Bauth%3Dxoauth2:tok@imap.x.org/INBOX");
        assert!(matches!(
            Credentials::of(&stored),
            Credentials::Xoauth2 { .. }
        ));
    }

    #[test]
    fn xoauth2_answers_once_then_keeps_the_refusal() {
        use async_imap::Authenticator;
        let mut auth = XOAuth2::new("u@x.org", "t");
        assert_eq!(
            (&mut auth).process(b""),
            "user=u@x.org\x01auth=Bearer t\x01\x01"
        );
        assert_eq!((&mut auth).process(br#"{"status":"401"}"#), "");
        assert_eq!(auth.refusal.as_deref(), Some(r#"{"status":"401"}"#));
    }
}
