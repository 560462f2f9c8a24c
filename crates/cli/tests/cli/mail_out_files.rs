//! Names and files on the mail Frontline sends, read from a real mailbox (a throwaway
//! Postfix, support::postfix) and parsed with mail-parser (through `frontline_mail::parse`).
//! Mail shows the requester's name and comes from the agent at the named mailbox, encoded
//! when not ASCII; an agent's public reply carries its files (one with a non-ASCII name)
//! with their bytes, types and names; files past the per-message cap are listed in the body
//! instead, linked on the portal (the server has a public URL); an internal note's file
//! never leaves the desk, and a file gone before the message could be sent leaves the
//! message whole without it. `mailbox add --name` checks the name before it adds anything,
//! and `mailbox list` shows it. On SQLite and PostgreSQL, against the real binary.

use crate::support;

use std::time::Duration;

use reqwest::multipart::{Form, Part};
use serde_json::json;
use sqlx::{Connection, PgConnection, SqliteConnection};
use support::postfix::{self, Postfix};
use support::{Api, Backend, Server, TestDesk, send};

on_both!(
    replies_carry_names_and_files,
    a_file_gone_before_sending_loses_no_mail,
    a_bad_mailbox_name_adds_no_mailbox,
);

const DESK: &str = "help@desk.example";
/// Quotes and a non-ASCII letter: the header must quote and encode it.
const DESK_NAME: &str = "IT Hélp \"Floor 3\"";
const LONG: Duration = Duration::from_secs(60);
/// Where the served desk says it is reached, for the links in its mail.
const PUBLIC_URL: &str = "https://help.example.org";
/// `MAX_ATTACHED_BYTES` in frontline-core: files past it are listed, not attached.
const CAP: usize = 7 * 1024 * 1024;

fn parse(raw: &[u8]) -> frontline_mail::Inbound {
    frontline_mail::parse(raw, 32 << 20).expect("Frontline's mail parses")
}

/// The message's header block, unfolded.
fn head(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let head = text.split("\r\n\r\n").next().unwrap_or_default();
    head.replace("\r\n ", " ").replace("\r\n\t", " ")
}

/// A comment with files: `(name, content type, bytes)`.
async fn comment_with_files(
    api: &Api,
    token: &str,
    ticket: i64,
    body: &str,
    internal: bool,
    files: &[(&str, &str, Vec<u8>)],
) {
    let mut form = Form::new()
        .text("body", body.to_owned())
        .text("internal", internal.to_string());
    for (name, content_type, data) in files {
        let part = Part::bytes(data.clone())
            .file_name((*name).to_owned())
            .mime_str(content_type)
            .expect("a content type");
        form = form.part("file", part);
    }
    // Names as UTF-8, as browsers send them (not percent-encoded).
    let form = form.percent_encode_noop();
    send(
        api.post(token, &format!("/api/v1/tickets/{ticket}/comments"))
            .multipart(form),
    )
    .await
    .expect(201);
}

/// A desk sending through `postfix` from a named mailbox, with an agent (whose token is
/// returned), Ana (an agent) and Bob (a requester, with a name to encode), serving.
async fn named_desk(backend: Backend, name: &str, postfix: &Postfix) -> (TestDesk, Server, String) {
    let desk = TestDesk::new(backend, name).await;
    let url = postfix.url();
    desk.run_ok(&[
        "mailbox",
        "add",
        "--address",
        DESK,
        "--smtp",
        &url,
        "--name",
        DESK_NAME,
    ]);
    let token = desk.person("agent@desk.example", "Alex Agent", "agent");
    desk.person("ana@example.org", "Ana Agent", "agent");
    desk.person(&bob(), "Bøb \"Bobby\" Requester", "requester");
    let server = desk.serve_with(&["--public-url", PUBLIC_URL]).await;
    (desk, server, token)
}

fn bob() -> String {
    format!("bob@{}", postfix::DOMAIN)
}

async fn open_ticket(api: &Api, token: &str) -> i64 {
    let created = send(api.post(token, "/api/v1/tickets").json(&json!({
        "subject": "Scanner saves blank pages",
        "description": "Since the update.",
        "requester": bob(),
        "channel": "phone",
    })))
    .await
    .expect(201)
    .json;
    created["id"].as_i64().expect("an id")
}

async fn replies_carry_names_and_files(backend: Backend) {
    let postfix = Postfix::start(&["bob", "ana"]);
    let (_desk, server, token) = named_desk(backend, "mail_out_files", &postfix).await;
    let api = server.api();
    let bob = bob();
    let id = open_ticket(&api, &token).await;

    // The desk's own mail comes from the mailbox's name, to the requester's name.
    let ack_raw = postfix.wait_for("bob", 1, LONG).await.remove(0);
    let ack = parse(&ack_raw);
    assert_eq!(ack.from.address, DESK);
    assert_eq!(
        ack.from.name.as_deref(),
        Some(DESK_NAME),
        "{}",
        head(&ack_raw)
    );
    assert_eq!(ack.to[0].address, bob);
    assert_eq!(
        ack.to[0].name.as_deref(),
        Some("Bøb \"Bobby\" Requester"),
        "{}",
        head(&ack_raw)
    );
    assert!(
        head(&ack_raw).contains("=?utf-8?"),
        "non-ASCII names are encoded (RFC 2047): {}",
        head(&ack_raw)
    );

    // An internal note's file stays in the desk, even when the note mails a colleague.
    let secret = b"SECRET-FIRMWARE-KEY".to_vec();
    comment_with_files(
        &api,
        &token,
        id,
        "@ana@example.org the vendor's key is attached",
        true,
        &[("key.txt", "text/plain", secret.clone())],
    )
    .await;
    let mention_raw = postfix.wait_for("ana", 1, LONG).await.remove(0);
    assert!(
        parse(&mention_raw).attachments.is_empty(),
        "a note's file is never mailed"
    );

    // A public reply with two files: both arrive as they were, from the agent at the desk.
    let pdf: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let notes = "Schritt 1: Treiber neu installieren.\n".as_bytes().to_vec();
    comment_with_files(
        &api,
        &token,
        id,
        "Please install the driver in the attached guide.",
        false,
        &[
            ("Übersicht März.pdf", "application/pdf", pdf.clone()),
            ("notes.txt", "text/plain", notes.clone()),
        ],
    )
    .await;
    let reply_raw = postfix.wait_for("bob", 2, LONG).await.remove(1);
    let reply = parse(&reply_raw);
    assert!(reply.text.contains("install the driver"), "{}", reply.text);
    assert_eq!(
        reply.from.name.as_deref(),
        Some(format!("Alex Agent ({DESK_NAME})").as_str()),
        "{}",
        head(&reply_raw)
    );
    assert_eq!(reply.from.address, DESK);
    assert_eq!(reply.to[0].name.as_deref(), Some("Bøb \"Bobby\" Requester"));
    assert!(
        head(&reply_raw).contains("multipart/mixed"),
        "{}",
        head(&reply_raw)
    );
    assert!(reply.html.is_some(), "the HTML alternative is kept");
    let files: Vec<(&str, &str, &[u8])> = reply
        .attachments
        .iter()
        .map(|a| {
            (
                a.filename.as_str(),
                a.content_type.as_str(),
                a.data.as_slice(),
            )
        })
        .collect();
    assert_eq!(
        files,
        vec![
            ("Übersicht März.pdf", "application/pdf", pdf.as_slice()),
            ("notes.txt", "text/plain", notes.as_slice()),
        ]
    );

    // Past the cap: the small file is attached, the large one listed with a pointer.
    let big = vec![b'x'; CAP + 1];
    comment_with_files(
        &api,
        &token,
        id,
        "The full log and the short summary.",
        false,
        &[
            ("scanner-full.log", "text/plain", big),
            ("summary.txt", "text/plain", b"all pages blank".to_vec()),
        ],
    )
    .await;
    let capped_raw = postfix.wait_for("bob", 3, LONG).await.remove(2);
    let capped = parse(&capped_raw);
    let names: Vec<&str> = capped
        .attachments
        .iter()
        .map(|a| a.filename.as_str())
        .collect();
    assert_eq!(names, ["summary.txt"]);
    assert!(
        capped_raw.len() < CAP,
        "the large file stayed out: {} bytes",
        capped_raw.len()
    );
    for part in [
        capped.text.as_str(),
        capped.html.as_deref().unwrap_or_default(),
    ] {
        assert!(part.contains("scanner-full.log (7.0 MiB)"), "{part}");
        assert!(part.contains("on the portal"), "{part}");
    }
    let portal = format!("{PUBLIC_URL}/portal/tickets/{id}");
    assert!(
        capped.text.contains(&format!("on the portal, {portal}:")),
        "{}",
        capped.text
    );
    assert!(
        capped
            .html
            .as_deref()
            .is_some_and(|h| h.contains(&format!("href=\"{portal}\""))),
        "{:?}",
        capped.html
    );

    // Nothing else went out, and the note's file is in no message.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let all: Vec<Vec<u8>> = ["bob", "ana"]
        .iter()
        .flat_map(|u| postfix.messages(u))
        .collect();
    assert_eq!(all.len(), 4, "three to the requester, the mention to Ana");
    assert!(
        all.iter().all(|m| parse(m)
            .attachments
            .iter()
            .all(|a| a.data != secret && a.filename != "key.txt")),
        "the note's file never left the desk"
    );
    drop(server);
}

/// Removes the attachment named `filename` straight from the database, as an operator's
/// clean-up might; returns how many rows went.
async fn delete_attachment(desk: &TestDesk, filename: &str) -> u64 {
    const SQL: &str = "DELETE FROM attachments WHERE filename = $1";
    match (desk.database_url(), desk.sqlite_file()) {
        (Some(url), _) => {
            let mut c = PgConnection::connect(url).await.expect("PostgreSQL");
            let done = sqlx::query(SQL).bind(filename).execute(&mut c).await;
            done.expect("deleted").rows_affected()
        }
        (None, Some(file)) => {
            let url = format!("sqlite://{}", file.display());
            let mut c = SqliteConnection::connect(&url).await.expect("SQLite");
            let done = sqlx::query(SQL).bind(filename).execute(&mut c).await;
            done.expect("deleted").rows_affected()
        }
        (None, None) => panic!("the test desk has no database"),
    }
}

/// The outbox names a reply's files and reads them at send time: one deleted while the
/// server was down is left out, and the reply still goes, once.
async fn a_file_gone_before_sending_loses_no_mail(backend: Backend) {
    let postfix = Postfix::start(&["bob", "ana"]);
    let (desk, server, token) = named_desk(backend, "mail_out_gone", &postfix).await;
    let admin = desk.person("admin@desk.example", "Ada Admin", "admin");
    let api = server.api();
    let id = open_ticket(&api, &token).await;
    postfix.wait_for("bob", 1, LONG).await;

    postfix.down();
    comment_with_files(
        &api,
        &token,
        id,
        "The guide and the driver.",
        false,
        &[
            ("guide.txt", "text/plain", b"step one".to_vec()),
            ("driver.bin", "application/octet-stream", vec![7; 1000]),
        ],
    )
    .await;
    // The reply is composed (its files named) and its first attempt has failed.
    postfix::until_a_send_failed(&api, &admin, LONG).await;
    assert_eq!(delete_attachment(&desk, "driver.bin").await, 1);

    postfix.up();
    let got = postfix.wait_for("bob", 2, Duration::from_secs(90)).await;
    let reply = parse(&got[1]);
    assert!(
        reply.text.contains("The guide and the driver."),
        "{}",
        reply.text
    );
    let names: Vec<&str> = reply
        .attachments
        .iter()
        .map(|a| a.filename.as_str())
        .collect();
    assert_eq!(names, ["guide.txt"]);
    assert_eq!(reply.attachments[0].data, b"step one");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(postfix.messages("bob").len(), 2, "sent exactly once");
    drop(server);
}

/// A name of two lines or over 100 characters is refused before the mailbox is added; a
/// good one is listed.
async fn a_bad_mailbox_name_adds_no_mailbox(backend: Backend) {
    let desk = TestDesk::new(backend, "mailbox_name").await;
    let add = |name: &str| desk.run(&["mailbox", "add", "--address", DESK, "--name", name]);
    for bad in ["x".repeat(101), "IT\nHelp".to_owned()] {
        let out = add(&bad);
        assert!(!out.status.success(), "{bad:?} was taken");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("--name"), "{stderr}");
        assert_eq!(desk.run_ok(&["mailbox", "list"]), "", "nothing was added");
    }
    let out = add(DESK_NAME);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed = desk.run_ok(&["mailbox", "list"]);
    assert!(listed.contains(&format!("name: {DESK_NAME}\t")), "{listed}");
}
