//! The interface contract walked end to end as a user would: people and tokens made with the
//! CLI, then the REST API of a real `frontline serve` on a free port, on SQLite and PostgreSQL.

use crate::support;

use std::collections::HashSet;
use std::time::Duration;

use serde_json::{Value, json};
use support::{Api, Backend, Reply, TestDesk, send, with_query};

on_both!(
    ticket_conversation,
    concurrency_and_errors,
    pagination,
    operator_endpoints
);

const AGENT: &str = "ana@example.org";
const REQUESTER: &str = "bob@example.org";

/// A desk with an agent and a requester (made with the CLI) and a server on it.
async fn desk(backend: Backend, test: &str) -> (TestDesk, support::Server, String, String) {
    let desk = TestDesk::new(backend, test).await;
    let agent = desk.person(AGENT, "Ana Agent", "agent");
    let requester = desk.person(REQUESTER, "Bob Requester", "requester");
    let server = desk.serve().await;
    (desk, server, agent, requester)
}

async fn create(api: &Api, token: &str, body: Value) -> Reply {
    send(api.post(token, "/api/v1/tickets").json(&body)).await
}

fn assert_problem(reply: &Reply, status: u16, kind: &str) {
    assert_eq!(reply.status, status, "unexpected answer: {}", reply.text);
    assert!(
        reply
            .header("content-type")
            .starts_with("application/problem+json"),
        "a {status} must be problem+json, got {:?}",
        reply.header("content-type")
    );
    assert_eq!(reply.json["status"], status, "problem body: {}", reply.text);
    assert_eq!(reply.json["type"], kind, "problem body: {}", reply.text);
}

/// A phone call becomes a ticket; the agent replies and adds a note; the requester sees the
/// reply and never the note, neither in the conversation nor in the audit trail.
async fn ticket_conversation(backend: Backend) {
    let (_desk, server, agent, requester) = desk(backend, "conversation").await;
    let api = server.api();

    let created = create(
        &api,
        &agent,
        json!({"subject": "VPN drops every few minutes", "description": "Since 9:00",
               "impact": "high", "urgency": "high", "requester": REQUESTER, "channel": "phone"}),
    )
    .await
    .expect(201);
    let id = created.json["id"].as_i64().expect("the ticket has an id");
    assert_eq!(created.header("location"), format!("/api/v1/tickets/{id}"));

    let read = send(api.get(&agent, &format!("/api/v1/tickets/{id}")))
        .await
        .expect(200);
    let version = read.json["version"].as_i64().expect("version");
    assert_eq!(read.header("etag"), format!("\"{version}\""));
    assert_eq!(read.json["subject"], "VPN drops every few minutes");
    assert_eq!(read.json["requester"], REQUESTER);
    assert_eq!(read.json["priority"], "P1", "high impact × high urgency");
    assert_eq!(read.json["channel"], "phone");

    let comments = format!("/api/v1/tickets/{id}/comments");
    let note = "NOTE: the VPN concentrator log shows a licence limit";
    let reply = "We are looking into it";
    send(
        api.post(&agent, &comments)
            .json(&json!({"body": note, "internal": true})),
    )
    .await
    .expect(201);
    send(
        api.post(&agent, &comments)
            .json(&json!({"body": reply, "internal": false})),
    )
    .await
    .expect(201);

    let seen_by_agent = send(api.get(&agent, &comments)).await.expect(200);
    let bodies: Vec<&str> = items(&seen_by_agent)
        .iter()
        .filter_map(|c| c["body"].as_str())
        .collect();
    assert_eq!(bodies, [note, reply]);
    let events = send(api.get(&agent, &format!("/api/v1/tickets/{id}/events")))
        .await
        .expect(200);
    let kinds: Vec<&str> = items(&events)
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"created"), "events: {kinds:?}");
    assert!(kinds.contains(&"note_added"), "events: {kinds:?}");
    assert!(
        items(&events).iter().any(|e| e["internal"] == true),
        "the agent sees the internal event: {}",
        events.text
    );

    // The requester: the ticket and the reply, never the note.
    let theirs = send(api.get(&requester, &format!("/api/v1/tickets/{id}")))
        .await
        .expect(200);
    assert_eq!(theirs.json["id"], id);
    let seen_by_requester = send(api.get(&requester, &comments)).await.expect(200);
    let bodies: Vec<&str> = items(&seen_by_requester)
        .iter()
        .filter_map(|c| c["body"].as_str())
        .collect();
    assert_eq!(bodies, [reply], "the requester sees only the public reply");
    assert!(!seen_by_requester.text.contains("licence limit"));
    let their_events = send(api.get(&requester, &format!("/api/v1/tickets/{id}/events")))
        .await
        .expect(200);
    assert!(!items(&their_events).is_empty());
    for event in items(&their_events) {
        assert_eq!(event["internal"], false, "internal event shown: {event}");
        assert_ne!(event["kind"], "note_added", "note event shown: {event}");
    }
    assert!(!their_events.text.contains("licence limit"));
    let listed = send(api.get(&requester, "/api/v1/tickets"))
        .await
        .expect(200);
    let ids: Vec<i64> = items(&listed)
        .iter()
        .filter_map(|t| t["id"].as_i64())
        .collect();
    assert_eq!(ids, [id], "the requester lists their own ticket");
}

/// Stale edits, malformed bodies and retried creates: each refused or repeated request
/// leaves the desk as it was.
async fn concurrency_and_errors(backend: Backend) {
    let (_desk, server, agent, _requester) = desk(backend, "concurrency").await;
    let api = server.api();

    let body = json!({"subject": "Printer on 3rd floor jams", "requester": "carl@example.org"});
    let first = send(
        api.post(&agent, "/api/v1/tickets")
            .header("Idempotency-Key", "call-4711")
            .json(&body),
    )
    .await
    .expect(201);
    let id = first.json["id"].as_i64().expect("id");
    let repeat = send(
        api.post(&agent, "/api/v1/tickets")
            .header("Idempotency-Key", "call-4711")
            .json(&body),
    )
    .await
    .expect(200);
    assert_eq!(
        repeat.json["id"], id,
        "a repeat answers with the same ticket"
    );
    let reused = send(
        api.post(&agent, "/api/v1/tickets")
            .header("Idempotency-Key", "call-4711")
            .json(&json!({"subject": "Something else"})),
    )
    .await;
    assert_problem(&reused, 422, "/problems/idempotency-key-reused");
    assert_eq!(
        api.all_ticket_ids(&agent, 50).await,
        [id],
        "one ticket only"
    );

    // Two agents edit the same version: the second gets 412 and changes nothing.
    let path = format!("/api/v1/tickets/{id}");
    let read = send(api.get(&agent, &path)).await.expect(200);
    let etag = read.header("etag").to_owned();
    let changed = send(
        api.patch(&agent, &path)
            .header("If-Match", &etag)
            .json(&json!({"status": "open"})),
    )
    .await
    .expect(200);
    assert_ne!(changed.header("etag"), etag, "a change bumps the ETag");
    let stale = send(
        api.patch(&agent, &path)
            .header("If-Match", &etag)
            .json(&json!({"subject": "Overwritten"})),
    )
    .await;
    assert_problem(&stale, 412, "/problems/stale");
    let now = send(api.get(&agent, &path)).await.expect(200);
    assert_eq!(now.json["subject"], "Printer on 3rd floor jams");
    assert_eq!(now.json["status"], "open");

    let malformed = send(
        api.post(&agent, "/api/v1/tickets")
            .header("Content-Type", "application/json")
            .body(r#"{"subject": "half a body"#),
    )
    .await;
    assert_problem(&malformed, 400, "/problems/bad-request");
    let anonymous = send(api.http.get(api.url("/api/v1/tickets"))).await;
    assert_problem(&anonymous, 401, "/problems/unauthenticated");
    assert_eq!(
        api.all_ticket_ids(&agent, 50).await,
        [id],
        "nothing was added"
    );
}

/// Pages of `limit` tickets, followed by `next_cursor`, visit every ticket exactly once, in
/// each sort order.
async fn pagination(backend: Backend) {
    let (_desk, server, agent, _requester) = desk(backend, "pagination").await;
    let api = server.api();
    let levels = ["high", "medium", "low"];
    let mut created = HashSet::new();
    for n in 0..11 {
        let body = json!({"subject": format!("Ticket {n}"), "requester": REQUESTER,
                          "impact": levels[n % 3], "urgency": levels[(n / 3) % 3]});
        let reply = create(&api, &agent, body).await.expect(201);
        created.insert(reply.json["id"].as_i64().expect("id"));
    }
    for sort in ["-created", "created", "priority", "-updated"] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let mut params = vec![("limit", "4"), ("sort", sort)];
            if let Some(c) = &cursor {
                params.push(("cursor", c));
            }
            let page = send(api.get(&agent, &with_query("/api/v1/tickets", &params)))
                .await
                .expect(200);
            pages += 1;
            assert!(items(&page).len() <= 4);
            seen.extend(items(&page).iter().filter_map(|t| t["id"].as_i64()));
            match page.json["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
            assert!(pages < 10, "the pages never end");
        }
        let unique: HashSet<i64> = seen.iter().copied().collect();
        assert_eq!(
            unique.len(),
            seen.len(),
            "sort {sort}: a ticket repeated: {seen:?}"
        );
        assert_eq!(unique, created, "sort {sort}: not every ticket was listed");
        assert_eq!(pages, 3, "sort {sort}: 11 tickets make 3 pages of 4");
    }
    let bad = send(api.get(&agent, "/api/v1/tickets?limit=500")).await;
    assert_problem(&bad, 400, "/problems/bad-request");
    let typo = send(api.get(&agent, "/api/v1/tickets?stauts=open")).await;
    assert_problem(&typo, 400, "/problems/bad-request");
}

/// Liveness, readiness and metrics answer without a token; metrics count tickets by status.
async fn operator_endpoints(backend: Backend) {
    let (_desk, server, agent, _requester) = desk(backend, "operator").await;
    assert!(
        server.ready_in < Duration::from_secs(10),
        "serve took {:?} to become ready",
        server.ready_in
    );
    let api = server.api();
    for n in 0..3 {
        create(&api, &agent, json!({"subject": format!("Disk full {n}")}))
            .await
            .expect(201);
    }
    let health = send(api.http.get(api.url("/healthz"))).await.expect(200);
    assert_eq!(health.json["status"], "ok");
    let ready = send(api.http.get(api.url("/readyz"))).await.expect(200);
    assert_eq!(ready.json["status"], "ready");
    let metrics = send(api.http.get(api.url("/metrics"))).await.expect(200);
    assert!(
        metrics.header("content-type").starts_with("text/plain"),
        "metrics content type: {:?}",
        metrics.header("content-type")
    );
    assert!(
        metrics.text.contains("# TYPE frontline_tickets gauge"),
        "{}",
        metrics.text
    );
    assert_eq!(
        metric(&metrics.text, "frontline_tickets{status=\"new\"}"),
        Some(3.0)
    );
    assert!(
        metrics.text.contains("frontline_http_requests_total{"),
        "requests are counted: {}",
        metrics.text
    );
}

fn items(reply: &Reply) -> &Vec<Value> {
    reply.json["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items in {}", reply.text))
}

/// The value of one sample line in Prometheus text.
fn metric(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series))
        .and_then(|v| v.trim().parse().ok())
}
