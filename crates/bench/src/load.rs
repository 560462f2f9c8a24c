//! The client loops: concurrent ticket creation, the agent queue walked page by page, and a
//! ticket page with its conversation. Every loop stops at a request count or a deadline,
//! whichever comes first, and fails on the first answer that is not the expected one.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use reqwest::{RequestBuilder, StatusCode};
use serde_json::{Value, json};

use crate::stats::Sample;

/// How far a loop may go: at most `requests` iterations and at most `time`.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    pub requests: usize,
    pub time: Duration,
}

/// An authenticated client of one server.
#[derive(Debug, Clone)]
pub struct Api {
    pub client: reqwest::Client,
    pub base: String,
    pub token: String,
}

impl Api {
    fn get(&self, path: &str) -> RequestBuilder {
        self.client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
    }

    fn post(&self, path: &str, body: &Value) -> RequestBuilder {
        self.client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(body)
    }
}

/// Sends a request, reads the whole answer and checks its status; returns the time until
/// the last byte arrived and the parsed body.
async fn call(
    req: RequestBuilder,
    what: &str,
    expect: StatusCode,
) -> anyhow::Result<(Duration, Value)> {
    let started = Instant::now();
    let resp = req
        .send()
        .await
        .with_context(|| format!("{what}: no answer"))?;
    let status = resp.status();
    let body = resp
        .bytes()
        .await
        .with_context(|| format!("{what}: the answer broke off"))?;
    let took = started.elapsed();
    if status != expect {
        bail!(
            "{what}: expected {expect}, got {status}: {}",
            String::from_utf8_lossy(&body[..body.len().min(500)])
        );
    }
    let value = serde_json::from_slice(&body).with_context(|| format!("{what}: not JSON"))?;
    Ok((took, value))
}

fn new_ticket(n: usize) -> Value {
    const IMPACT: [&str; 3] = ["high", "medium", "low"];
    json!({
        "subject": format!("Printer on floor {} jams on every print job ({n})", n % 9),
        "description": "Since this morning the printer stops after the first page and shows \
            error 50.4. Restarting it helps for a few minutes.",
        "impact": IMPACT[n % 3],
        "urgency": IMPACT[(n / 3) % 3],
        "requester": format!("bench-caller-{}@example.org", n % 200),
        "channel": "phone",
        "tags": ["printer"],
    })
}

/// The result of the creation load.
#[derive(Debug, Default)]
pub struct Created {
    pub tickets: usize,
    pub elapsed: Duration,
    pub latency: Sample,
}

impl Created {
    pub fn per_second(&self) -> f64 {
        self.tickets as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// `clients` concurrent loops of POST /api/v1/tickets.
pub async fn create_tickets(api: &Api, clients: usize, bounds: Bounds) -> anyhow::Result<Created> {
    let issued = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + bounds.time;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..clients {
        let (api, issued) = (api.clone(), issued.clone());
        tasks.spawn(async move {
            let mut times = Vec::new();
            loop {
                let n = issued.fetch_add(1, Ordering::Relaxed);
                if n >= bounds.requests || Instant::now() >= deadline {
                    return Ok::<_, anyhow::Error>(times);
                }
                let req = api.post("/api/v1/tickets", &new_ticket(n));
                let (took, _) = call(req, "POST /api/v1/tickets", StatusCode::CREATED).await?;
                times.push(took);
            }
        });
    }
    let mut latency = Sample::default();
    while let Some(joined) = tasks.join_next().await {
        latency.extend(joined.context("a client task failed")??);
    }
    Ok(Created {
        tickets: latency.len(),
        elapsed: started.elapsed(),
        latency,
    })
}

/// Latencies of the agent queue: the first page, and pages further down.
#[derive(Debug, Default)]
pub struct Queue {
    pub first: Sample,
    pub deeper: Sample,
    /// How many pages down the walk went.
    pub depth: usize,
    /// Tickets on the first page (50 unless the queue is short).
    pub first_items: usize,
}

const QUEUE: &str = "/api/v1/tickets?status=new,open&sort=priority&limit=50";

/// Percent-encodes a query value (a cursor is opaque, so nothing is assumed about it).
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// One client walks the queue: the first page, then `depth - 1` pages by `next_cursor`,
/// then from the top again.
pub async fn walk_queue(api: &Api, depth: usize, bounds: Bounds) -> anyhow::Result<Queue> {
    let mut queue = Queue::default();
    let deadline = Instant::now() + bounds.time;
    let mut requests = 0;
    'walks: while requests < bounds.requests && Instant::now() < deadline {
        let mut cursor: Option<String> = None;
        for page in 0..depth.max(1) {
            let req = match &cursor {
                Some(c) => api.get(&format!("{QUEUE}&cursor={}", encode(c))),
                None => api.get(QUEUE),
            };
            let (took, body) = call(req, "GET the queue", StatusCode::OK).await?;
            requests += 1;
            if page == 0 {
                queue.first.push(took);
                queue.first_items = body["items"].as_array().map_or(0, Vec::len);
            } else {
                queue.deeper.push(took);
            }
            queue.depth = queue.depth.max(page + 1);
            cursor = body["next_cursor"].as_str().map(str::to_owned);
            if cursor.is_none() || requests >= bounds.requests || Instant::now() >= deadline {
                continue 'walks;
            }
        }
    }
    Ok(queue)
}

/// Latencies of a ticket page: the ticket, its 20 comments, and both one after the other.
#[derive(Debug, Default)]
pub struct TicketPage {
    pub ticket: Sample,
    pub comments: Sample,
    pub both: Sample,
}

pub const COMMENTS: usize = 20;

/// Opens a ticket with [`COMMENTS`] comments, then one client reads it again and again.
pub async fn read_ticket_page(api: &Api, bounds: Bounds) -> anyhow::Result<TicketPage> {
    let (_, ticket) = call(
        api.post("/api/v1/tickets", &new_ticket(0)),
        "POST /api/v1/tickets",
        StatusCode::CREATED,
    )
    .await?;
    let id = ticket["id"].as_i64().context("the new ticket has no id")?;
    for n in 0..COMMENTS {
        let body = json!({
            "body": format!("Update {n}: checked the paper tray and the fuser; still jams."),
            "internal": n % 4 == 3,
        });
        let path = format!("/api/v1/tickets/{id}/comments");
        call(
            api.post(&path, &body),
            "POST a comment",
            StatusCode::CREATED,
        )
        .await?;
    }
    let (ticket_path, comments_path) = (
        format!("/api/v1/tickets/{id}"),
        format!("/api/v1/tickets/{id}/comments"),
    );
    let mut page = TicketPage::default();
    let deadline = Instant::now() + bounds.time;
    while page.both.len() < bounds.requests && Instant::now() < deadline {
        let (t, _) = call(api.get(&ticket_path), "GET a ticket", StatusCode::OK).await?;
        let (c, body) = call(api.get(&comments_path), "GET comments", StatusCode::OK).await?;
        let shown = body["items"].as_array().map_or(0, Vec::len);
        if shown != COMMENTS {
            bail!("ticket {id} shows {shown} comments, not {COMMENTS}");
        }
        page.ticket.push(t);
        page.comments.push(c);
        page.both.push(t + c);
    }
    Ok(page)
}

/// A few untimed requests so connections are open and caches warm before timing.
pub async fn warm_up(api: &Api) -> anyhow::Result<()> {
    for _ in 0..10 {
        call(api.get(QUEUE), "warm-up", StatusCode::OK).await?;
    }
    Ok(())
}
