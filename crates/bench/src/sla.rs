//! The SLA benchmarks, run after the others on the same desk:
//!
//! - the open queue sorted by SLA due time, with every generated ticket open and carrying SLA
//!   state (its earliest due time and breached flag, written once in bulk as the SLA reconcile
//!   would keep them: spread over 80 hours around now, one in ten overdue and breached, one in
//!   ten without a due time), walked page by page like the priority queue, and the breached
//!   queue's first page;
//! - SLA timers fired per second: tickets opened under a one-minute policy (a warning at half
//!   time and the breach), the server stopped until all their timers are due, then started
//!   again, as a node coming back from an outage, and timed until the backlog is gone.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::stats::Sample;

/// The open queue, soonest due first.
const DUE_QUEUE: &str = "/api/v1/tickets?status=new,open&sort=due&limit=50";
/// Breached open tickets, soonest due first.
const BREACHED: &str = "/api/v1/tickets?status=new,open&sort=due&sla=breached&limit=50";
/// The channel and tag of the tickets whose timers are measured; the policy matches only them.
const TIMED: &str = "sla-bench";

const HOUR: i64 = 3_600_000_000;

/// Every ticket open (one in three new), with an SLA due time spread over 80 hours from eight
/// hours ago (overdue ones breached), one in ten without; as of `now` (microseconds).
pub fn open_desk_sql(now: i64) -> String {
    let (before, span) = (8 * HOUR, 80 * HOUR);
    format!(
        "UPDATE tickets SET \
         status = CASE WHEN id % 3 = 0 THEN 'new' ELSE 'open' END, \
         resolved_at = NULL, closed_at = NULL, \
         sla_due_at = CASE WHEN id % 10 = 0 THEN NULL \
             ELSE {now} - {before} + (id * 7919) % {span} END, \
         sla_breached = (id % 10 <> 0 AND (id * 7919) % {span} < {before})"
    )
}

pub fn now_micros() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

/// What the SLA stage measured.
#[derive(Debug, Default)]
pub struct SlaResults {
    /// Open tickets with a due time (the whole desk, reopened).
    pub open_with_due: u64,
    pub due_first: Sample,
    pub due_deeper: Sample,
    pub breached_first: Sample,
    /// Timers in the backlog, and how long the restarted server took to fire them all.
    pub timers: usize,
    pub drain: Duration,
}

impl SlaResults {
    pub fn timers_per_second(&self) -> f64 {
        self.timers as f64 / self.drain.as_secs_f64().max(1e-9)
    }
}

/// An authenticated client of one server (the SLA stage's own, independent of `load`).
#[derive(Debug, Clone)]
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
}

impl Client {
    /// One request, answered in full with `expect`; the time to the last byte and the JSON.
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
        expect: StatusCode,
    ) -> anyhow::Result<(Duration, Value)> {
        let mut req = self
            .http
            .request(method.clone(), format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(b);
        }
        let started = Instant::now();
        let resp = req
            .send()
            .await
            .with_context(|| format!("{method} {path}: no answer"))?;
        let status = resp.status();
        let bytes = resp.bytes().await.context("the answer broke off")?;
        let took = started.elapsed();
        if status != expect {
            bail!(
                "{method} {path}: expected {expect}, got {status}: {}",
                String::from_utf8_lossy(&bytes[..bytes.len().min(500)])
            );
        }
        let value = serde_json::from_slice(&bytes).context("not JSON")?;
        Ok((took, value))
    }

    async fn get(&self, path: &str) -> anyhow::Result<(Duration, Value)> {
        self.send(reqwest::Method::GET, path, None, StatusCode::OK)
            .await
    }

    async fn post(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        let (_, v) = self
            .send(reqwest::Method::POST, path, Some(body), StatusCode::CREATED)
            .await?;
        Ok(v)
    }

    /// Every item of a list, following `next_cursor`.
    async fn all(&self, path: &str) -> anyhow::Result<Vec<Value>> {
        let mut items = Vec::new();
        let mut next = path.to_owned();
        loop {
            let (_, page) = self.get(&next).await?;
            items.extend(page["items"].as_array().cloned().unwrap_or_default());
            match page["next_cursor"].as_str() {
                Some(c) => next = format!("{path}&cursor={c}"),
                None => return Ok(items),
            }
        }
    }
}

/// Walks the due queue (the first page, then `depth - 1` pages by cursor, again and again)
/// and reads the breached queue's first page, within `requests` and `time` each.
pub async fn walk(
    api: &Client,
    depth: usize,
    requests: usize,
    time: Duration,
    out: &mut SlaResults,
) -> anyhow::Result<()> {
    for _ in 0..10 {
        api.get(DUE_QUEUE).await?;
    }
    let deadline = Instant::now() + time;
    let mut sent = 0;
    while sent < requests && Instant::now() < deadline {
        let mut path = DUE_QUEUE.to_owned();
        for page in 0..depth.max(1) {
            let (took, body) = api.get(&path).await?;
            sent += 1;
            if page == 0 {
                out.due_first.push(took);
            } else {
                out.due_deeper.push(took);
            }
            if body["items"].as_array().is_none_or(Vec::is_empty) {
                bail!("a page of the due queue is empty");
            }
            match body["next_cursor"].as_str() {
                Some(c) if sent < requests => path = format!("{DUE_QUEUE}&cursor={c}"),
                _ => break,
            }
        }
    }
    let deadline = Instant::now() + time;
    while out.breached_first.len() < requests && Instant::now() < deadline {
        let (took, body) = api.get(BREACHED).await?;
        if body["items"].as_array().is_none_or(Vec::is_empty) {
            bail!("the breached queue is empty");
        }
        out.breached_first.push(took);
    }
    Ok(())
}

/// Configures a one-minute policy for the timed channel and opens `tickets` under it;
/// returns the time the last of their timers falls due.
pub async fn open_timed_tickets(admin: &Client, tickets: usize) -> anyhow::Result<Instant> {
    let always = json!({ "name": "Around the clock", "time_zone": "UTC", "week": {
        "mon": ["00:00-24:00"], "tue": ["00:00-24:00"], "wed": ["00:00-24:00"],
        "thu": ["00:00-24:00"], "fri": ["00:00-24:00"], "sat": ["00:00-24:00"],
        "sun": ["00:00-24:00"] } });
    admin.post("/api/v1/calendars", &always).await?;
    let policy = json!({ "calendar": "Around the clock", "policy": {
        "name": "Benchmark minute", "conditions": { "channels": ["chat"] },
        "targets": { "first_response": 1 }, "warn_at_percent": 50 } });
    admin.post("/api/v1/sla-policies", &policy).await?;
    let mut tasks = tokio::task::JoinSet::new();
    const CLIENTS: usize = 4;
    for c in 0..CLIENTS {
        let admin = admin.clone();
        tasks.spawn(async move {
            for n in (c..tickets).step_by(CLIENTS) {
                let body = json!({
                    "subject": format!("Chat {n}: cannot reach the VPN"),
                    "channel": "chat", "tags": [TIMED],
                    "requester": format!("bench-chat-{}@example.org", n % 100),
                });
                admin.post("/api/v1/tickets", &body).await?;
            }
            anyhow::Ok(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.context("a client task panicked")??;
    }
    // Each ticket's breach is due a minute after it was opened.
    Ok(Instant::now() + Duration::from_secs(61))
}

/// Counts the SLA timers that finished so far.
pub async fn timers_done(admin: &Client) -> anyhow::Result<usize> {
    let done = admin.all("/api/v1/jobs?state=done&limit=200").await?;
    Ok(done.iter().filter(|j| j["kind"] == "sla.timer").count())
}

/// Waits until no SLA timer is queued (every one queued is in the backlog); the time it took
/// from `started`.
pub async fn drain(admin: &Client, started: Instant) -> anyhow::Result<Duration> {
    let limit = started + Duration::from_secs(600);
    loop {
        let queued = admin.all("/api/v1/jobs?state=queued&limit=200").await?;
        if !queued.iter().any(|j| j["kind"] == "sla.timer") {
            return Ok(started.elapsed());
        }
        if Instant::now() > limit {
            bail!("SLA timers were still queued after 10 minutes");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Fails unless every timed ticket is breached now.
pub async fn check_breached(admin: &Client, tickets: usize) -> anyhow::Result<()> {
    let breached = admin
        .all(&format!(
            "/api/v1/tickets?tag={TIMED}&sla=breached&limit=200"
        ))
        .await?;
    if breached.len() != tickets {
        bail!(
            "{} of {tickets} timed tickets are breached after their timers ran",
            breached.len()
        );
    }
    Ok(())
}
