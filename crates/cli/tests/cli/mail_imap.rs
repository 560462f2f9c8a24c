//! IMAP polling against a real Dovecot (Debian's dovecot-imapd, which `scripts/test.sh`
//! installs when missing), started by the test on a free loopback port with a throwaway
//! configuration in a temporary folder: messages already in the folder (read or not) become
//! tickets and are flagged `\Seen` only after they are stored, a reply appended while the
//! desk waits (IDLE) lands as a comment, a second copy and a restart add nothing, and a bad
//! password shows in `frontline mailbox list`. A mailbox signs in with an OAuth 2.0 token
//! (XOAUTH2) too, and a refused token changes nothing. On SQLite and PostgreSQL; two nodes on
//! one PostgreSQL poll each mailbox from one node at a time. A mailbox disabled over the API
//! leaves new mail on the server until it is enabled again, then takes it once.

use crate::support;

use std::time::{Duration, Instant};

use async_imap::Session;
use futures_util::TryStreamExt;
use serde_json::Value;
use support::dovecot::{Dovecot, Options, PASSWORD, USER};
use support::{Api, Backend, TestDesk, send};
use tokio::net::TcpStream;

on_both!(
    imap_mail_becomes_tickets_once,
    imap_errors_are_shown,
    imaps_checks_the_certificate,
    imap_signs_in_with_an_oauth_token,
    a_disabled_mailbox_is_not_polled
);

fn message(from: &str, subject: &str, id: &str, headers: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {USER}\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n\
         Date: Mon, 23 Nov 2026 09:00:00 +0000\r\n{headers}\r\n{body}\r\n"
    )
    .into_bytes()
}

/// Appends `raw` to the INBOX with `flags`, as a mail server delivering it would.
async fn deliver(imap: &mut Session<TcpStream>, flags: Option<&str>, raw: Vec<u8>) {
    imap.append("INBOX", flags, None, raw)
        .await
        .expect("append");
}

/// Appends a new, unread message without further headers.
async fn deliver_new(
    imap: &mut Session<TcpStream>,
    from: &str,
    subject: &str,
    id: &str,
    body: &str,
) {
    deliver(imap, None, message(from, subject, id, "", body)).await;
}

/// Adds the desk's mailbox ([`USER`]), read from `imap_url`.
fn add_mailbox(desk: &TestDesk, imap_url: &str) {
    desk.run_ok(&["mailbox", "add", "--address", USER, "--imap", imap_url]);
}

async fn tickets(api: &Api, token: &str) -> Vec<Value> {
    api.all_items(token, "/api/v1/tickets", 100).await
}

/// Waits, for at most `limit`, until `count` tickets are listed.
async fn until_tickets(api: &Api, token: &str, count: usize, limit: Duration, what: &str) {
    eventually(limit, what, || async {
        tickets(api, token).await.len() == count
    })
    .await;
}

/// Polls `check` until it holds, for at most `limit`.
async fn eventually<F, Fut>(limit: Duration, what: &str, check: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while !check().await {
        assert!(started.elapsed() < limit, "{what} within {limit:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // How long each wait took, for a run that comes close to a bound.
    eprintln!("{what}: {:?}", started.elapsed());
}

/// The flags of every message in the INBOX, by UID.
async fn flags(session: &mut Session<TcpStream>) -> Vec<(u32, bool)> {
    let fetches: Vec<_> = session
        .uid_fetch("1:*", "(UID FLAGS)")
        .await
        .expect("fetch flags")
        .try_collect()
        .await
        .expect("flags");
    let mut out: Vec<(u32, bool)> = fetches
        .iter()
        .filter_map(|f| {
            let seen = f
                .flags()
                .any(|fl| matches!(fl, async_imap::types::Flag::Seen));
            Some((f.uid?, seen))
        })
        .collect();
    out.sort_unstable();
    out
}

async fn imap_mail_becomes_tickets_once(backend: Backend) {
    let dovecot = Dovecot::start();
    let mut imap = dovecot.session().await;
    deliver_new(
        &mut imap,
        "ana@client.example",
        "VPN drops",
        "v1@client.example",
        "VPN gone.",
    )
    .await;
    // Read by someone in a mail client already: still the desk's to ingest.
    deliver(
        &mut imap,
        Some("(\\Seen)"),
        message(
            "bo@client.example",
            "Printer jam",
            "p1@client.example",
            "",
            "Jammed.",
        ),
    )
    .await;
    assert_eq!(flags(&mut imap).await, vec![(1, false), (2, true)]);

    let desk = TestDesk::new(backend, "imap").await;
    add_mailbox(&desk, &dovecot.url(PASSWORD));
    let token = desk.person("agent@desk.example", "Alex Agent", "agent");
    let mut server = desk.serve().await;
    let api = server.api();
    until_tickets(
        &api,
        &token,
        2,
        Duration::from_secs(30),
        "two tickets from the folder",
    )
    .await;
    let all = tickets(&api, &token).await;
    let vpn = all
        .iter()
        .find(|t| t["subject"] == "VPN drops")
        .expect("the VPN ticket");
    assert_eq!(vpn["channel"], "email");
    assert_eq!(vpn["requester"], "ana@client.example");
    let vpn_id = vpn["id"].as_i64().expect("an id");
    eventually(Duration::from_secs(10), "both flagged \\Seen", || async {
        flags(&mut dovecot.session().await).await == vec![(1, true), (2, true)]
    })
    .await;

    // Appended while the desk waits: IDLE wakes it long before its 20-minute poll.
    deliver(
        &mut imap,
        None,
        message(
            "ana@client.example",
            "Re: VPN drops",
            "v2@client.example",
            "In-Reply-To: <v1@client.example>\r\n",
            "Still down.\r\n\r\n> VPN gone.",
        ),
    )
    .await;
    let comments_path = format!("/api/v1/tickets/{vpn_id}/comments");
    eventually(
        Duration::from_secs(20),
        "the reply as a comment",
        || async {
            let page = send(api.get(&token, &comments_path)).await.expect(200).json;
            page["items"].as_array().is_some_and(|c| c.len() == 1)
        },
    )
    .await;
    let page = send(api.get(&token, &comments_path)).await.expect(200).json;
    assert_eq!(page["items"][0]["body"], "Still down.");

    // The same message again under a new UID, and a restart: nothing is ingested twice.
    deliver_new(
        &mut imap,
        "ana@client.example",
        "VPN drops",
        "v1@client.example",
        "VPN gone.",
    )
    .await;
    eventually(
        Duration::from_secs(20),
        "the copy flagged \\Seen",
        || async {
            flags(&mut dovecot.session().await)
                .await
                .iter()
                .all(|(_, seen)| *seen)
        },
    )
    .await;
    server.kill9();
    let server = desk.serve().await;
    let api = server.api();
    deliver_new(
        &mut imap,
        "cy@client.example",
        "Laptop",
        "l1@client.example",
        "Battery.",
    )
    .await;
    // The killed node's lease on the mailbox (15 s) runs out before the new one polls it:
    // about 15-20 s by design, so the bound leaves room for a loaded machine.
    until_tickets(
        &api,
        &token,
        3,
        Duration::from_secs(60),
        "the new message after the restart",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let all = tickets(&api, &token).await;
    assert_eq!(all.len(), 3, "no copy became a ticket: {all:?}");
    let page = send(api.get(&token, &comments_path)).await.expect(200).json;
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1));
    let listed = desk.run_ok(&["mailbox", "list"]);
    assert!(!listed.contains("last error"), "{listed}");
    assert!(!listed.contains(PASSWORD), "{listed}");
    let _ = imap.logout().await;
}

async fn imap_errors_are_shown(backend: Backend) {
    let dovecot = Dovecot::start();
    let desk = TestDesk::new(backend, "imapbad").await;
    add_mailbox(&desk, &dovecot.url("wrong"));
    let _server = desk.serve().await;
    eventually(
        Duration::from_secs(30),
        "the login error in the list",
        || async {
            desk.run_ok(&["mailbox", "list"])
                .contains("refused the login")
        },
    )
    .await;
}

async fn imaps_checks_the_certificate(backend: Backend) {
    let dovecot = Dovecot::start_with_tls(true);
    let mut imap = dovecot.session().await;
    deliver_new(
        &mut imap,
        "ana@client.example",
        "Over TLS",
        "t1@client.example",
        "Secret.",
    )
    .await;
    let desk = TestDesk::new(backend, "imaps").await;
    add_mailbox(&desk, &dovecot.tls_url());
    let token = desk.person("agent@desk.example", "Alex Agent", "agent");

    // The server's certificate comes from a CA nobody trusts: no login, the error is shown.
    let mut untrusting = desk.serve().await;
    eventually(
        Duration::from_secs(30),
        "the TLS error in the list",
        || async { desk.run_ok(&["mailbox", "list"]).contains("TLS") },
    )
    .await;
    assert!(tickets(&untrusting.api(), &token).await.is_empty());
    untrusting.kill9();

    // Trusting that CA, the same mailbox is read over TLS.
    let server = desk
        .serve_env(&[], &[("FRONTLINE_MAIL_CA_FILE", &dovecot.ca_file())])
        .await;
    let api = server.api();
    until_tickets(
        &api,
        &token,
        1,
        Duration::from_secs(30),
        "the ticket read over IMAPS",
    )
    .await;
    eventually(Duration::from_secs(10), "the error cleared", || async {
        !desk.run_ok(&["mailbox", "list"]).contains("last error")
    })
    .await;
    let _ = imap.logout().await;
}

async fn imap_signs_in_with_an_oauth_token(backend: Backend) {
    let dovecot = Dovecot::start();
    let mut imap = dovecot.session().await;
    deliver_new(
        &mut imap,
        "ana@client.example",
        "Token mail",
        "o1@client.example",
        "Read with a token.",
    )
    .await;
    let oauth_url = |token: &str| {
        format!(
            "imap://desk%40desk.example;AUTH=XOAUTH2:{token}@127.0.0.1:{}/INBOX",
            dovecot.port()
        )
    };

    // A token the server does not accept (signed with another key): a clear error, in the
    // log and the list, and nothing read or flagged.
    let forged = Dovecot::start().token(USER, Duration::from_secs(600));
    let refused = TestDesk::new(backend, "imapoauthbad").await;
    add_mailbox(&refused, &oauth_url(&forged));
    let token = refused.person("agent@desk.example", "Alex Agent", "agent");
    let server = refused.serve().await;
    eventually(
        Duration::from_secs(30),
        "the refused token in the list",
        || async {
            refused
                .run_ok(&["mailbox", "list"])
                .contains("XOAUTH2 token for desk@desk.example refused")
        },
    )
    .await;
    assert!(
        server
            .log()
            .contains("XOAUTH2 token for desk@desk.example refused"),
        "{}",
        server.log()
    );
    assert!(tickets(&server.api(), &token).await.is_empty());
    assert_eq!(flags(&mut imap).await, vec![(1, false)]);
    let listed = refused.run_ok(&["mailbox", "list"]);
    assert!(
        !listed.contains(&forged),
        "the token is never shown: {listed}"
    );
    drop(server);

    // A token it signed: the mailbox is read as with a password.
    let good = dovecot.token(USER, Duration::from_secs(600));
    let desk = TestDesk::new(backend, "imapoauth").await;
    add_mailbox(&desk, &oauth_url(&good));
    let token = desk.person("agent@desk.example", "Alex Agent", "agent");
    let server = desk.serve().await;
    let api = server.api();
    until_tickets(
        &api,
        &token,
        1,
        Duration::from_secs(30),
        "the ticket read with the token",
    )
    .await;
    eventually(
        Duration::from_secs(10),
        "the message flagged \\Seen",
        || async { flags(&mut dovecot.session().await).await == vec![(1, true)] },
    )
    .await;
    let listed = desk.run_ok(&["mailbox", "list"]);
    assert!(!listed.contains("last error"), "{listed}");
    assert!(!listed.contains(&good), "{listed}");
    let _ = imap.logout().await;
}

/// Disabled through the REST API, a mailbox is no longer read: mail delivered meanwhile stays
/// unread on the server through several rescans (every 5 s in `inbound/imap.rs`, which has
/// no setting for it), and is ingested once when the mailbox is enabled again.
async fn a_disabled_mailbox_is_not_polled(backend: Backend) {
    const STOPPED: &str = "mailbox disabled; polling stops";
    let dovecot = Dovecot::start();
    let mut imap = dovecot.session().await;
    let desk = TestDesk::new(backend, "imapoff").await;
    let id = desk.run_ok(&[
        "mailbox",
        "add",
        "--address",
        USER,
        "--imap",
        &dovecot.url(PASSWORD),
    ]);
    let token = desk.person("agent@desk.example", "Alex Agent", "agent");
    let admin = desk.person("admin@desk.example", "Ada Admin", "admin");
    let server = desk.serve().await;
    let api = server.api();
    deliver_new(
        &mut imap,
        "ana@client.example",
        "One",
        "o1@client.example",
        "First.",
    )
    .await;
    until_tickets(&api, &token, 1, Duration::from_secs(30), "the first ticket").await;

    let disabled = send(api.post(&admin, &format!("/api/v1/mailboxes/{id}/disable")))
        .await
        .expect(200)
        .json;
    assert_eq!(disabled["state"], "disabled", "{disabled}");
    eventually(Duration::from_secs(20), "the poller stopping", || async {
        server.log().contains(STOPPED)
    })
    .await;
    deliver_new(
        &mut imap,
        "bo@client.example",
        "Two",
        "o2@client.example",
        "Second.",
    )
    .await;
    // Three rescans and more: the message stays unread, and no ticket comes of it.
    tokio::time::sleep(Duration::from_secs(16)).await;
    assert_eq!(
        tickets(&api, &token).await.len(),
        1,
        "nothing read while disabled"
    );
    assert_eq!(
        flags(&mut dovecot.session().await).await,
        vec![(1, true), (2, false)]
    );

    send(api.post(&admin, &format!("/api/v1/mailboxes/{id}/enable")))
        .await
        .expect(200);
    until_tickets(
        &api,
        &token,
        2,
        Duration::from_secs(30),
        "the message after enabling",
    )
    .await;
    eventually(Duration::from_secs(10), "both flagged \\Seen", || async {
        flags(&mut dovecot.session().await).await == vec![(1, true), (2, true)]
    })
    .await;
    // A rescan later still one ticket each: the message was taken once.
    tokio::time::sleep(Duration::from_secs(6)).await;
    let all = tickets(&api, &token).await;
    assert_eq!(all.len(), 2, "{all:?}");
    assert_eq!(all.iter().filter(|t| t["subject"] == "Two").count(), 1);
    assert_eq!(server.log().matches(STOPPED).count(), 1);
    let _ = imap.logout().await;
}

/// Two `serve` nodes on one PostgreSQL: one of them polls the mailbox (holding its lease),
/// and when that one is killed the other takes the mailbox over; every message once.
#[tokio::test]
async fn postgres_one_node_polls_each_mailbox() {
    const POLLING: &str = "polling the mailbox under this node's lease";
    let dovecot = Dovecot::start();
    let mut imap = dovecot.session().await;
    let desk = TestDesk::new(Backend::Postgres, "imaplease").await;
    add_mailbox(&desk, &dovecot.url(PASSWORD));
    let token = desk.person("agent@desk.example", "Alex Agent", "agent");
    let mut first = desk.serve().await;
    eventually(
        Duration::from_secs(20),
        "the first node polling",
        || async { first.log().contains(POLLING) },
    )
    .await;
    let second = desk.serve().await;
    deliver_new(
        &mut imap,
        "ana@client.example",
        "One",
        "n1@client.example",
        "First.",
    )
    .await;
    let api = second.api();
    until_tickets(&api, &token, 1, Duration::from_secs(30), "the first ticket").await;
    // Several renewals and rescans later the second node still leaves the mailbox alone.
    tokio::time::sleep(Duration::from_secs(12)).await;
    assert!(!second.log().contains(POLLING), "{}", second.log());
    assert_eq!(first.log().matches("IMAP folder open").count(), 1);

    first.kill9();
    deliver_new(
        &mut imap,
        "bo@client.example",
        "Two",
        "n2@client.example",
        "Second.",
    )
    .await;
    // The lease (15 s) runs out, and the second node's next look (every 5 s) takes it.
    until_tickets(
        &api,
        &token,
        2,
        Duration::from_secs(60),
        "the second node taking over",
    )
    .await;
    assert!(second.log().contains(POLLING), "{}", second.log());
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(tickets(&api, &token).await.len(), 2, "each message once");
    let _ = imap.logout().await;
}

/// The test Dovecot itself: a token it signed opens the account over XOAUTH2, and a token
/// signed with another key, or for another user, does not; its authentication service
/// listens on the socket asked for (for a Postfix's SMTP AUTH).
#[tokio::test]
async fn dovecot_checks_bearer_tokens() {
    let sockets = tempfile::tempdir().expect("a temporary folder");
    let socket = sockets.path().join("auth");
    let dovecot = Dovecot::start_with(Options {
        auth_socket: Some(socket.clone()),
        ..Options::default()
    });
    assert!(socket.exists(), "no auth socket: {}", dovecot.log());
    let good = dovecot.token(USER, Duration::from_secs(600));
    assert!(xoauth2_login(&dovecot, USER, &good).await.is_ok());
    let other = Dovecot::start().token(USER, Duration::from_secs(600));
    let refused = xoauth2_login(&dovecot, USER, &other).await;
    assert!(
        refused.is_err(),
        "a token of another key opened the account"
    );
    let for_other_user = dovecot.token("someone@desk.example", Duration::from_secs(600));
    assert!(
        xoauth2_login(&dovecot, USER, &for_other_user)
            .await
            .is_err()
    );
}

async fn xoauth2_login(dovecot: &Dovecot, user: &str, token: &str) -> Result<(), String> {
    struct XOAuth2(String, bool);
    impl async_imap::Authenticator for &mut XOAuth2 {
        type Response = String;
        fn process(&mut self, _challenge: &[u8]) -> String {
            // The first answer is the credentials; after a refusal the server sends its
            // error as a challenge, answered empty.
            if std::mem::replace(&mut self.1, true) {
                String::new()
            } else {
                self.0.clone()
            }
        }
    }
    let tcp = TcpStream::connect(("127.0.0.1", dovecot.port()))
        .await
        .map_err(|e| e.to_string())?;
    let mut client = async_imap::Client::new(tcp);
    client.read_response().await.map_err(|e| e.to_string())?;
    let mut auth = XOAuth2(format!("user={user}\x01auth=Bearer {token}\x01\x01"), false);
    client
        .authenticate("XOAUTH2", &mut auth)
        .await
        .map(drop)
        .map_err(|(e, _)| e.to_string())
}
