//! Nothing acknowledged is lost: tickets created under load survive `kill -9` and a restart,
//! and SIGTERM lets the requests in flight finish before the process exits 0. On SQLite and
//! PostgreSQL, against the real binary.

use crate::support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use support::{Api, Backend, TestDesk, send};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

on_both!(
    acknowledged_tickets_survive_kill_9,
    sigterm_finishes_requests_in_flight
);

/// Concurrent clients, each creating at most this many tickets.
const CLIENTS: usize = 8;
const PER_CLIENT: usize = 150;
/// The load runs at most this long.
const LOAD_LIMIT: Duration = Duration::from_secs(30);
/// The server is killed once this many tickets were acknowledged.
const KILL_AFTER: usize = 60;

/// What the load saw: the tickets acknowledged with 201 and any other answer.
#[derive(Default)]
struct Tally {
    acknowledged: Vec<(i64, String)>,
    refused: Vec<String>,
    transport_errors: usize,
}

/// `CLIENTS` tasks creating tickets until `stop` is set, each has made `PER_CLIENT`, or
/// `LOAD_LIMIT` has passed.
fn start_load(
    api: &Api,
    token: &str,
    stop: &Arc<AtomicBool>,
    tally: &Arc<Mutex<Tally>>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let deadline = Instant::now() + LOAD_LIMIT;
    (0..CLIENTS)
        .map(|client| {
            let (api, token, stop, tally) =
                (api.clone(), token.to_owned(), stop.clone(), tally.clone());
            tokio::spawn(async move {
                for n in 0..PER_CLIENT {
                    if stop.load(Ordering::Relaxed) || Instant::now() > deadline {
                        return;
                    }
                    let subject = format!("Load client {client} ticket {n}");
                    let body = json!({"subject": subject, "requester": "load@example.org"});
                    let sent = api.post(&token, "/api/v1/tickets").json(&body).send().await;
                    let reply = match sent {
                        Ok(resp) => support::read_lossy(resp).await,
                        Err(_) => None,
                    };
                    let Ok(mut t) = tally.lock() else { return };
                    match reply {
                        Some((201, json)) => match json["id"].as_i64() {
                            Some(id) => t.acknowledged.push((id, subject)),
                            None => t.refused.push(format!("201 without an id: {json}")),
                        },
                        Some((status, json)) => t.refused.push(format!("{status}: {json}")),
                        None => t.transport_errors += 1,
                    }
                }
            })
        })
        .collect()
}

async fn acknowledged_tickets_survive_kill_9(backend: Backend) {
    let desk = TestDesk::new(backend, "kill9").await;
    let token = desk.person("ops@example.org", "Olga Ops", "agent");
    let mut server = desk.serve().await;
    let api = server.api();

    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let load = start_load(&api, &token, &stop, &tally);
    let deadline = Instant::now() + LOAD_LIMIT;
    while acknowledged(&tally) < KILL_AFTER {
        assert!(
            Instant::now() < deadline,
            "only {} tickets acknowledged within {LOAD_LIMIT:?}; stderr:\n{}",
            acknowledged(&tally),
            server.log()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill9();
    // Answers that reached the client before the kill still count as acknowledged.
    let tally = stop_load(&stop, load, tally).await;
    assert!(
        tally.refused.is_empty(),
        "refused under load: {:?}",
        tally.refused
    );
    assert!(
        tally.acknowledged.len() < CLIENTS * PER_CLIENT,
        "the kill must come while the load is still running"
    );

    let restarted = desk.serve().await;
    let api = restarted.api();
    for (id, subject) in &tally.acknowledged {
        let ticket = send(api.get(&token, &format!("/api/v1/tickets/{id}"))).await;
        assert_eq!(
            ticket.status, 200,
            "acknowledged ticket {id} is gone after kill -9: {}",
            ticket.text
        );
        assert_eq!(ticket.json["subject"], subject.as_str());
    }
    let listed = api.all_ticket_ids(&token, 200).await;
    for (id, _) in &tally.acknowledged {
        assert!(listed.contains(id), "ticket {id} is missing from the list");
    }
    // A restarted desk takes new work.
    send(
        api.post(&token, "/api/v1/tickets")
            .json(&json!({"subject": "After the crash"})),
    )
    .await
    .expect(201);
}

async fn sigterm_finishes_requests_in_flight(backend: Backend) {
    let desk = TestDesk::new(backend, "sigterm").await;
    let token = desk.person("ops@example.org", "Olga Ops", "agent");
    let mut server = desk.serve().await;
    let api = server.api();

    // A request whose body is only half sent when the signal arrives.
    let body = json!({"subject": "Sent across a shutdown"}).to_string();
    let (head, tail) = body.split_at(body.len() / 2);
    let mut slow = TcpStream::connect(server.addr())
        .await
        .expect("cannot connect to the server");
    let request = format!(
        "POST /api/v1/tickets HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{head}",
        server.addr(),
        body.len()
    );
    slow.write_all(request.as_bytes())
        .await
        .expect("cannot send the request head");

    // Other clients keep the server busy through the signal.
    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let load = start_load(&api, &token, &stop, &tally);
    let deadline = Instant::now() + LOAD_LIMIT;
    while acknowledged(&tally) < 10 {
        assert!(Instant::now() < deadline, "the load made no progress");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    server.terminate();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        server.running(),
        "the server exited with a request in flight; stderr:\n{}",
        server.log()
    );

    slow.write_all(tail.as_bytes())
        .await
        .expect("cannot send the rest of the body");
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), slow.read_to_end(&mut answer))
        .await
        .expect("no answer to the request in flight within 20 s")
        .expect("cannot read the answer");
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.starts_with("HTTP/1.1 201"),
        "the request in flight was not completed: {answer}"
    );
    let id: i64 = answer
        .split("\r\n\r\n")
        .nth(1)
        .and_then(|b| serde_json::from_str::<serde_json::Value>(b).ok())
        .and_then(|v| v["id"].as_i64())
        .unwrap_or_else(|| panic!("no ticket in the answer: {answer}"));

    let status = server.exit_status(Duration::from_secs(20)).await;
    assert_eq!(
        status.code(),
        Some(0),
        "SIGTERM must end in a clean exit; stderr:\n{}",
        server.log()
    );
    let tally = stop_load(&stop, load, tally).await;
    assert!(
        tally.refused.is_empty(),
        "refused during shutdown: {:?}",
        tally.refused
    );

    let restarted = desk.serve().await;
    let api = restarted.api();
    send(api.get(&token, &format!("/api/v1/tickets/{id}")))
        .await
        .expect(200);
    for (id, _) in &tally.acknowledged {
        send(api.get(&token, &format!("/api/v1/tickets/{id}")))
            .await
            .expect(200);
    }
}

/// Stops the load clients, waits for them, and returns what they counted.
async fn stop_load(
    stop: &AtomicBool,
    load: Vec<tokio::task::JoinHandle<()>>,
    tally: Arc<Mutex<Tally>>,
) -> Tally {
    stop.store(true, Ordering::Relaxed);
    for task in load {
        task.await.expect("a load client panicked");
    }
    Arc::try_unwrap(tally)
        .ok()
        .and_then(|m| m.into_inner().ok())
        .expect("the load clients are done")
}

fn acknowledged(tally: &Mutex<Tally>) -> usize {
    tally.lock().map(|t| t.acknowledged.len()).unwrap_or(0)
}
