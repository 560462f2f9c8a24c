//! Mail received by `frontline serve --smtp-listen`, sent with a real SMTP client (lettre)
//! over loopback, read back over the REST API: recipients that are no mailbox are refused at
//! RCPT, a new message opens a ticket, a reply lands on it, a second copy changes nothing,
//! and an oversized message is refused. What ingest could only quarantine is refused at
//! DATA with a 5xx saying why, local mail from `root@localhost` is taken, and another
//! message reusing a Message-ID opens its own ticket. Also `frontline mailbox add/list`
//! and their errors.
//! On SQLite and PostgreSQL, against the real binary.

use crate::support;

use std::time::{Duration, Instant};

use lettre::AsyncTransport;
use lettre::address::Envelope;
use serde_json::Value;
use support::{Api, Backend, TestDesk, send};

on_both!(
    smtp_mail_becomes_tickets_and_comments,
    smtp_refuses_what_it_cannot_deliver,
    mailbox_commands
);

const DESK: &str = "help@desk.example";

fn envelope(from: &str, to: &str) -> Envelope {
    Envelope::new(
        Some(from.parse().expect("a sender address")),
        vec![to.parse().expect("a recipient address")],
    )
    .expect("an envelope")
}

fn message(from: &str, subject: &str, id: &str, headers: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {DESK}\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n\
         Date: Mon, 23 Nov 2026 09:00:00 +0000\r\n{headers}\r\n{body}\r\n"
    )
    .into_bytes()
}

/// Polls until `check` finds what it wants in the ticket list (ingest runs as a job).
async fn wait_for<T>(api: &Api, token: &str, check: impl Fn(&[Value]) -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let items = api.all_items(token, "/api/v1/tickets", 100).await;
        if let Some(found) = check(&items) {
            return found;
        }
        assert!(
            Instant::now() < deadline,
            "not ingested within 30 s: {items:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn comments(api: &Api, token: &str, ticket: i64) -> Vec<Value> {
    let page = send(api.get(token, &format!("/api/v1/tickets/{ticket}/comments")))
        .await
        .expect(200)
        .json;
    page["items"].as_array().cloned().unwrap_or_default()
}

async fn smtp_mail_becomes_tickets_and_comments(backend: Backend) {
    let desk = TestDesk::new(backend, "smtp").await;
    desk.run_ok(&["mailbox", "add", "--address", DESK]);
    let token = desk.person("agent@desk.example", "Alex Agent", "agent");
    let server = desk.serve_with(&["--smtp-listen", "127.0.0.1:0"]).await;
    let api = server.api();
    let smtp = server.smtp();

    // A recipient that is no mailbox is refused at RCPT, permanently.
    let refused = smtp
        .send_raw(
            &envelope("ana@client.example", "nobody@desk.example"),
            &message("ana@client.example", "Lost", "x0@client.example", "", "?"),
        )
        .await
        .expect_err("no such mailbox");
    assert!(refused.is_permanent(), "{refused}");

    let first = message(
        "Ana Lima <ana@client.example>",
        "VPN drops every few minutes",
        "a1@client.example",
        "Cc: bo@client.example\r\n",
        "Since this morning the VPN disconnects.",
    );
    smtp.send_raw(&envelope("ana@client.example", DESK), &first)
        .await
        .expect("accepted");
    let ticket = wait_for(&api, &token, |items| {
        items
            .iter()
            .find(|t| t["subject"] == "VPN drops every few minutes")
            .cloned()
    })
    .await;
    assert_eq!(ticket["requester"], "ana@client.example");
    assert_eq!(ticket["channel"], "email");
    assert_eq!(ticket["watchers"], serde_json::json!(["bo@client.example"]));
    let id = ticket["id"].as_i64().expect("an id");

    // The same message again (a relay retrying) is taken and changes nothing.
    smtp.send_raw(&envelope("ana@client.example", DESK), &first)
        .await
        .expect("a copy is accepted");
    let reply = message(
        "ana@client.example",
        "Re: VPN drops every few minutes",
        "a2@client.example",
        "In-Reply-To: <a1@client.example>\r\n",
        "Again at 10:15.\r\n\r\nOn Mon, Ana wrote:\r\n> Since this morning the VPN disconnects.",
    );
    smtp.send_raw(&envelope("ana@client.example", DESK), &reply)
        .await
        .expect("accepted");
    let deadline = Instant::now() + Duration::from_secs(30);
    let conversation = loop {
        let c = comments(&api, &token, id).await;
        if !c.is_empty() || Instant::now() > deadline {
            break c;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(conversation.len(), 1, "{conversation:?}");
    assert_eq!(conversation[0]["body"], "Again at 10:15.");
    assert_eq!(conversation[0]["author"], "ana@client.example");
    let tickets = api.all_items(&token, "/api/v1/tickets", 100).await;
    assert_eq!(
        tickets.len(),
        1,
        "one ticket for the copy and the reply: {tickets:?}"
    );

    // Over the size limit: refused, and the server goes on.
    let line = format!("{}\r\n", "x".repeat(998));
    let huge = message(
        "ana@client.example",
        "Huge",
        "h1@client.example",
        "",
        &line.repeat(26 * 1024),
    );
    let err = smtp
        .send_raw(&envelope("ana@client.example", DESK), &huge)
        .await
        .expect_err("too large");
    assert!(err.is_permanent(), "{err}");
    // A bounce with the null envelope sender opens no ticket, whatever its From says.
    let bounce = message(
        "Postmaster <bounces@mx.client.example>",
        "Undeliverable: Printer",
        "d1@mx.client.example",
        "",
        "Your message could not be delivered.",
    );
    let null_sender =
        Envelope::new(None, vec![DESK.parse().expect("recipient")]).expect("envelope");
    smtp.send_raw(&null_sender, &bounce)
        .await
        .expect("a bounce is accepted");
    let small = message(
        "bo@client.example",
        "Printer",
        "b1@client.example",
        "",
        "Jam.",
    );
    smtp.send_raw(&envelope("bo@client.example", DESK), &small)
        .await
        .expect("accepted after a refusal");
    wait_for(&api, &token, |items| {
        items.iter().find(|t| t["subject"] == "Printer").map(drop)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let subjects: Vec<Value> = api
        .all_items(&token, "/api/v1/tickets", 100)
        .await
        .iter()
        .map(|t| t["subject"].clone())
        .collect();
    assert!(
        !subjects.contains(&Value::from("Undeliverable: Printer")),
        "the bounce opened a ticket: {subjects:?}"
    );
    assert!(
        !server.log().contains("Huge"),
        "the refused message was not stored"
    );
}

async fn smtp_refuses_what_it_cannot_deliver(backend: Backend) {
    let desk = TestDesk::new(backend, "smtp_refuse").await;
    desk.run_ok(&["mailbox", "add", "--address", DESK]);
    let token = desk.person("agent@desk.example", "Alex Agent", "agent");
    let server = desk.serve_with(&["--smtp-listen", "127.0.0.1:0"]).await;
    let api = server.api();
    let smtp = server.smtp();
    let from = envelope("ops@client.example", DESK);

    // No From: refused at DATA, permanently, with the reason; nothing is stored.
    let no_sender =
        format!("To: {DESK}\r\nSubject: Nobody\r\nMessage-ID: <n1@client.example>\r\n\r\nWho?\r\n");
    let err = smtp
        .send_raw(&from, no_sender.as_bytes())
        .await
        .expect_err("no sender");
    assert!(err.is_permanent(), "{err}");
    assert!(err.to_string().contains("no sender"), "{err}");

    // Local mail (cron's) from a dotless domain is taken and opens a ticket.
    let cron = message(
        "Cron Daemon <root@localhost>",
        "Backup failed",
        "c1@host",
        "",
        "disk full",
    );
    smtp.send_raw(&from, &cron).await.expect("accepted");
    // Another message reusing that Message-ID is not a copy: its own ticket.
    let reused = message(
        "ops@client.example",
        "Printer jammed",
        "c1@host",
        "",
        "tray 2",
    );
    smtp.send_raw(&from, &reused).await.expect("accepted");
    let found = wait_for(&api, &token, |items| {
        let subjects: Vec<&Value> = items.iter().map(|t| &t["subject"]).collect();
        (subjects.contains(&&Value::from("Backup failed"))
            && subjects.contains(&&Value::from("Printer jammed")))
        .then(|| items.to_vec())
    })
    .await;
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        !server.log().contains("Nobody"),
        "the refused message was not stored"
    );
}

async fn mailbox_commands(backend: Backend) {
    let desk = TestDesk::new(backend, "mailbox").await;
    desk.run_ok(&[
        "mailbox",
        "add",
        "--address",
        "Support@Desk.example",
        "--imap",
        "imaps://support%40desk.example:s3cret@imap.desk.example/INBOX",
        "--smtp",
        "smtps://support%40desk.example:s3cret@smtp.desk.example:465",
    ]);
    let listed = desk.run_ok(&["mailbox", "list"]);
    assert!(listed.starts_with("support@desk.example"), "{listed}");
    assert!(listed.contains("imaps://support@desk.example:***@imap.desk.example:993/INBOX"));
    assert!(
        !listed.contains("s3cret"),
        "the password is never shown: {listed}"
    );

    let refused = |args: &[&str], why: &str| {
        let out = desk.run(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(stderr.contains(why), "{args:?}: {stderr}");
    };
    refused(
        &["mailbox", "add", "--address", "support@desk.example"],
        "configured already",
    );
    refused(
        &["mailbox", "add", "--address", "not-an-address"],
        "--address",
    );
    refused(
        &[
            "mailbox",
            "add",
            "--address",
            "a@desk.example",
            "--imap",
            "imap.desk.example",
        ],
        "--imap: not a URL",
    );
    refused(
        &[
            "mailbox",
            "add",
            "--address",
            "a@desk.example",
            "--imap",
            "imap://u:p@imap.desk.example",
        ],
        "in the clear",
    );
    refused(
        &[
            "mailbox",
            "add",
            "--address",
            "a@desk.example",
            "--imap",
            "imaps://imap.desk.example",
        ],
        "needs the account",
    );
    refused(
        &[
            "mailbox",
            "add",
            "--address",
            "a@desk.example",
            "--smtp",
            "http://x.example",
        ],
        "--smtp",
    );
    let listed = desk.run_ok(&["mailbox", "list"]);
    assert_eq!(
        listed.lines().count(),
        1,
        "refusals changed nothing: {listed}"
    );
}
