//! Nothing acknowledged over SMTP is lost and nothing is ingested twice: `kill -9` the server
//! while it receives and ingests 1,000 messages (some of them replies), restart it,
//! let the senders retry everything (as relays do when they saw no 250), and every message is
//! exactly one ticket or comment. On SQLite and PostgreSQL, against the real binary.

use crate::support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lettre::address::Envelope;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use support::{Api, Backend, TestDesk, send};

on_both!(every_message_is_ingested_once_across_kill_9);

const DESK: &str = "help@desk.example";
/// Messages in all; every fourth answers an earlier one.
const MESSAGES: usize = 1_000;
const SENDERS: usize = 4;
/// The server is killed once this many messages were acknowledged.
const KILL_AFTER: usize = 300;

/// Message `i`: its body carries a marker found again in exactly one ticket or comment.
fn message(i: usize) -> (String, Vec<u8>) {
    // Many senders, each well under the per-sender rate limit.
    let from = format!("user{}@client.example", i % 50);
    let reply = if i % 4 == 3 {
        format!("In-Reply-To: <m{}@client.example>\r\n", i - 3)
    } else {
        String::new()
    };
    let raw = format!(
        "From: {from}\r\nTo: {DESK}\r\nSubject: Crash test {i}\r\n\
         Message-ID: <m{i}@client.example>\r\n{reply}\r\nmarker-{i}-end\r\n"
    );
    (from, raw.into_bytes())
}

/// Sends messages `which` from `SENDERS` tasks; returns those acknowledged with 250.
async fn send_all(
    smtp: AsyncSmtpTransport<Tokio1Executor>,
    which: Vec<usize>,
    acknowledged: Arc<Mutex<Vec<usize>>>,
) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let tasks: Vec<_> = (0..SENDERS)
        .map(|s| {
            let (smtp, acknowledged) = (smtp.clone(), acknowledged.clone());
            let mine: Vec<usize> = which.iter().copied().skip(s).step_by(SENDERS).collect();
            tokio::spawn(async move {
                for i in mine {
                    if Instant::now() > deadline {
                        return;
                    }
                    let (from, raw) = message(i);
                    let envelope = Envelope::new(
                        Some(from.parse().expect("sender")),
                        vec![DESK.parse().expect("recipient")],
                    )
                    .expect("envelope");
                    if smtp.send_raw(&envelope, &raw).await.is_ok()
                        && let Ok(mut a) = acknowledged.lock()
                    {
                        a.push(i);
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        let _ = t.await;
    }
}

/// How often each marker appears in the tickets' descriptions and conversations.
async fn markers(api: &Api, token: &str) -> HashMap<usize, usize> {
    let mut seen = HashMap::new();
    let mut count = |text: &str| {
        for part in text.split("marker-").skip(1) {
            if let Some(n) = part.split("-end").next().and_then(|n| n.parse().ok()) {
                *seen.entry(n).or_insert(0) += 1;
            }
        }
    };
    for t in api.all_items(token, "/api/v1/tickets", 100).await {
        count(t["description"].as_str().unwrap_or_default());
        let id = t["id"].as_i64().expect("an id");
        let page = send(api.get(token, &format!("/api/v1/tickets/{id}/comments?limit=100")))
            .await
            .expect(200)
            .json;
        for c in page["items"].as_array().into_iter().flatten() {
            count(c["body"].as_str().unwrap_or_default());
        }
    }
    seen
}

async fn every_message_is_ingested_once_across_kill_9(backend: Backend) {
    let desk = TestDesk::new(backend, "mailcrash").await;
    desk.run_ok(&["mailbox", "add", "--address", DESK]);
    let token = desk.person("agent@desk.example", "Alex Agent", "agent");
    let mut server = desk.serve_with(&["--smtp-listen", "127.0.0.1:0"]).await;

    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let load = tokio::spawn(send_all(
        server.smtp(),
        (0..MESSAGES).collect(),
        acknowledged.clone(),
    ));
    let deadline = Instant::now() + Duration::from_secs(60);
    while acknowledged.lock().map_or(0, |a| a.len()) < KILL_AFTER {
        assert!(Instant::now() < deadline, "too few messages acknowledged");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill9();
    let _ = load.await;
    let before_restart = acknowledged.lock().map_or(0, |a| a.len());
    assert!(
        before_restart < MESSAGES,
        "the kill came after every message was sent; nothing was tested"
    );

    // What was acknowledged before the kill is ingested after the restart with no help.
    let server = desk.serve_with(&["--smtp-listen", "127.0.0.1:0"]).await;
    let api = server.api();
    let acked: Vec<usize> = acknowledged.lock().map(|a| a.clone()).unwrap_or_default();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let seen = markers(&api, &token).await;
        let lost: Vec<&usize> = acked.iter().filter(|i| !seen.contains_key(i)).collect();
        if lost.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "acknowledged but never ingested: {lost:?}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    // Relays retry what they sent, acknowledged or not: all of it goes again.
    let again = Arc::new(Mutex::new(Vec::new()));
    send_all(server.smtp(), (0..MESSAGES).collect(), again.clone()).await;
    assert_eq!(
        again.lock().map_or(0, |a| a.len()),
        MESSAGES,
        "every message is accepted after the restart; log:\n{}",
        server.log()
    );

    let deadline = Instant::now() + Duration::from_secs(120);
    let seen = loop {
        let seen = markers(&api, &token).await;
        if seen.len() == MESSAGES || Instant::now() > deadline {
            break seen;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let missing: Vec<usize> = (0..MESSAGES).filter(|i| !seen.contains_key(i)).collect();
    assert!(missing.is_empty(), "never ingested: {missing:?}");
    // Nothing ingested twice, even given time to be.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let seen = markers(&api, &token).await;
    let twice: Vec<(&usize, &usize)> = seen.iter().filter(|(_, n)| **n != 1).collect();
    assert!(twice.is_empty(), "ingested more than once: {twice:?}");
    eprintln!(
        "{before_restart} of {MESSAGES} acknowledged before kill -9; all {MESSAGES} once after"
    );
}
