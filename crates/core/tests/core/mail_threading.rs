//! Replies from real mail clients thread onto their ticket, on SQLite and on PostgreSQL:
//! each of the twelve talon `standard_replies` (Android, AOL, Apple Mail, Comcast, Gmail,
//! Hotmail, iPhone, Outlook, Sparrow, Thunderbird, Yahoo) is ingested after an original
//! from the same sender whose Message-ID the reply names, and must become a comment on
//! that ticket, found by In-Reply-To/References, whose text is what the person wrote.
//!
//! Most of the fixtures were saved without their threading headers: only apple_mail_2 has
//! an In-Reply-To. For the others the test prepends `In-Reply-To: <original-NAME@corpus>`
//! (and a Message-ID where there is none), so the reply names an original as a client
//! would. The expected text is `NAME_reply_text` where talon has one, else "Hello" (talon's
//! own test does the same); the desk also drops the signature below `-- ` and a "Sent from
//! my …" line (the reply as [`frontline_mail::Inbound::reply`] documents it), so those
//! lines are cut from the expectation too, and white space is compared collapsed.

use frontline_core::Desk;
use frontline_domain::{CommentId, Role, TicketId};
use frontline_store::Store;

use crate::mail_support::{self, Result, email_corpus, mail_desk, person_named};

frontline_testkit::stories!(replies_from_real_clients_thread_onto_their_ticket);

fn fixtures() -> Vec<(String, Vec<u8>, Option<String>)> {
    let dir = email_corpus().join("talon-replies/standard_replies");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the talon replies at {}: {e}", dir.display()))
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".eml"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let stem = n.trim_end_matches(".eml").to_owned();
            let raw = std::fs::read(dir.join(&n)).expect("a readable fixture");
            let expected = std::fs::read_to_string(dir.join(format!("{stem}_reply_text"))).ok();
            (stem, raw, expected)
        })
        .collect()
}

/// The header value of `name` in `raw`'s header section, when present.
fn header(raw: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(raw);
    let head = text
        .split("\n\n")
        .next()
        .unwrap_or_default()
        .replace("\r\n", "\n");
    let prefix = format!("{}:", name.to_ascii_lowercase());
    head.lines()
        .find(|l| l.to_ascii_lowercase().starts_with(&prefix))
        .map(|l| l[prefix.len()..].trim().to_owned())
}

/// What the ticket should show of the reply: the expected text without its signature,
/// white space collapsed.
fn expected_text(expected: Option<&str>) -> String {
    let text = expected.unwrap_or("Hello");
    let mut kept = Vec::new();
    for line in text.lines() {
        if line.trim_end() == "--" || line.starts_with("Sent from my ") {
            break;
        }
        kept.push(line);
    }
    collapse(&kept.join("\n"))
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

async fn replies_from_real_clients_thread_onto_their_ticket(store: &Store) -> Result {
    let desk = mail_desk(store).await?;
    let agent = person_named(&desk, "agent@desk.example", "Alex Agent", Role::Agent).await?;
    let all = fixtures();
    assert_eq!(all.len(), 12, "the twelve talon standard replies");
    let mut failures = Vec::new();
    for (name, raw, expected) in &all {
        let mut reply = Vec::new();
        let parent = match header(raw, "In-Reply-To") {
            Some(id) => id.trim_matches(['<', '>']).to_owned(),
            None => {
                let id = format!("original-{name}@corpus.example");
                reply.extend_from_slice(format!("In-Reply-To: <{id}>\r\n").as_bytes());
                id
            }
        };
        if header(raw, "Message-ID").is_none() {
            reply.extend_from_slice(
                format!("Message-ID: <reply-{name}@corpus.example>\r\n").as_bytes(),
            );
        }
        reply.extend_from_slice(raw);
        let parsed = frontline_mail::parse(&reply, 1 << 24).expect("the reply reads as mail");
        let original = format!(
            "From: {}\r\nTo: help@desk.example\r\nSubject: Test\r\nMessage-ID: <{parent}>\r\n\
             Date: Mon, 2 Apr 2012 10:00:00 +0000\r\n\r\nHi\r\n",
            parsed.from.address
        );
        let first = deliver(&desk, original.into_bytes()).await?;
        let second = deliver(&desk, reply).await?;
        let ticket = first.1.expect("the original opens a ticket");
        if second.0 != "comment" || second.1 != Some(ticket) {
            failures.push(format!(
                "{name}: became {:?} on {:?}, not a comment on #{ticket}",
                second.0, second.1
            ));
            continue;
        }
        let comments = desk
            .comments()
            .list(&agent, TicketId::new(ticket), CommentId::default(), 10)
            .await?;
        let got = comments
            .last()
            .map(|c| collapse(&c.record.body))
            .unwrap_or_default();
        let want = expected_text(expected.as_deref());
        if got != want {
            failures.push(format!(
                "{name}: the comment reads {got:?}, expected {want:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    Ok(())
}

/// Stores and ingests the message: its state and ticket.
async fn deliver(desk: &Desk, raw: Vec<u8>) -> Result<(String, Option<i64>)> {
    let outcome = mail_support::deliver(desk, raw)
        .await?
        .expect("a new message, ingested");
    Ok((
        outcome.state.to_string(),
        outcome.ticket_id.map(TicketId::get),
    ))
}
