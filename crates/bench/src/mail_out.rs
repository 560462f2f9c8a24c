//! The outbound mail benchmark (`--mail-out N`), on a desk of its own per database: a real
//! Postfix (Debian's package, started here with a throwaway configuration on a free loopback
//! port, accepting every recipient at `bench.example` and discarding it) is the desk's SMTP
//! server; `--mail-clients` concurrent API clients open N tickets for N different requesters,
//! and each ticket's acknowledgement goes through the outbox (compose job, stored message,
//! send job, SMTP). Timed from the first ticket until the outbox holds N messages and until
//! every one has been accepted by Postfix (250): messages/s through the outbox, and the
//! server's peak memory. Progress is read from the database with `sqlite3` or `psql`.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::json;

use crate::db::{Backend, Database};
use crate::postfix::Postfix;
use crate::serve::{Serve, command};
use crate::stats;

const DESK: &str = "desk@bench.example";
const AGENT: &str = "mail-agent@bench.example";
/// Longest wait for one phase: stuck mail is a failure, not a slow result.
const PHASE_LIMIT: Duration = Duration::from_secs(1_800);

/// What the outbound stage measured on one database.
#[derive(Debug, Default)]
pub struct MailOutResults {
    pub messages: usize,
    pub clients: usize,
    /// Every ticket opened (API answers).
    pub created: Duration,
    /// Every acknowledgement rendered and stored in the outbox.
    pub composed: Duration,
    /// Every message accepted by the SMTP server.
    pub sent: Duration,
    pub peak_rss_kb: u64,
    /// `state count` lines of the outbox at the end.
    pub outcomes: String,
}

/// Runs the outbound stage for `backend` in `work`; the database is made here and dropped.
pub async fn measure(
    backend: Backend,
    bin: &Path,
    work: &Path,
    postgres_url: &str,
    messages: usize,
    clients: usize,
) -> anyhow::Result<MailOutResults> {
    let name = format!("{backend:?}").to_lowercase();
    let dir = work.join(format!("mail-out-{name}"));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let db = match backend {
        Backend::Sqlite => Database::sqlite(&dir.join("db"))?,
        Backend::Postgres => Database::postgres(
            postgres_url,
            &format!("frontline_bench_mail_out_{}", std::process::id()),
        )?,
    };
    let postfix = Postfix::start(&dir.join("postfix"))?;
    let admin = |args: &[&str]| command(bin, &db.args, args);
    admin(&["migrate"])?;
    admin(&[
        "mailbox",
        "add",
        "--address",
        DESK,
        "--smtp",
        &postfix.url(),
    ])?;
    admin(&[
        "user",
        "add",
        "--email",
        AGENT,
        "--name",
        "Mail Agent",
        "--role",
        "agent",
    ])?;
    let token = admin(&["token", "create", "--email", AGENT])?;
    let server = Serve::start(bin, &[], &db.args, &dir, "Frontline is listening on ")?;
    let http = reqwest::Client::new();

    eprintln!("opening {messages} tickets with {clients} clients; each is acknowledged by mail…");
    let started = Instant::now();
    create_all(&http, &server.address, &token, messages, clients).await?;
    let created = started.elapsed();
    let (composed, sent) = wait_sent(&db, messages, started).await?;
    eprintln!(
        "outbound: {} created/s, {} composed/s, {} sent/s",
        stats::per_second(messages, created),
        stats::per_second(messages, composed),
        stats::per_second(messages, sent)
    );
    let results = MailOutResults {
        messages,
        clients,
        created,
        composed,
        sent,
        peak_rss_kb: server.peak_rss_kb()?,
        outcomes: db
            .execute("SELECT state || ' ' || COUNT(*) FROM outbox GROUP BY state ORDER BY state")?,
    };
    drop(server);
    drop(postfix);
    Ok(results)
}

/// The Markdown lines the README quotes, one row per database measured.
pub fn table(runs: &[(Backend, Result<MailOutResults, String>)]) -> String {
    let mut out = String::from(
        "\n| Outbound mail | Messages | Tickets opened/s (clients) | Stored in the outbox/s \
         | Sent through SMTP/s | Peak RSS |\n|---|---|---|---|---|---|\n",
    );
    for (backend, run) in runs {
        let _ = match run {
            Ok(r) => writeln!(
                out,
                "| {backend} | {} | {} ({}) | {} | {} | {} |",
                stats::thousands(r.messages as u64),
                stats::per_second(r.messages, r.created),
                r.clients,
                stats::per_second(r.messages, r.composed),
                stats::per_second(r.messages, r.sent),
                stats::megabytes(r.peak_rss_kb * 1024),
            ),
            Err(e) => writeln!(out, "| {backend} | failed: {e} | | | | |"),
        };
    }
    for (backend, run) in runs {
        if let Ok(r) = run {
            let outcomes = r.outcomes.lines().collect::<Vec<_>>().join(", ");
            let _ = writeln!(out, "\n{backend} outbox: {outcomes}.");
        }
    }
    out
}

/// Opens `count` tickets, each for a requester of its own (no address nears the limit on
/// automatic mail), over `clients` concurrent connections.
async fn create_all(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    count: usize,
    clients: usize,
) -> anyhow::Result<()> {
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..clients.max(1) {
        let (http, next) = (http.clone(), next.clone());
        let (url, token) = (format!("{base}/api/v1/tickets"), token.to_owned());
        tasks.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    return Ok::<_, anyhow::Error>(());
                }
                let body = json!({
                    "subject": format!("Printer on floor {} jams (case {i})", i % 9),
                    "description": "Paper jams at the fuser since this morning.",
                    "requester": format!("requester{i}@bench.example"),
                    "channel": "phone",
                });
                let resp = http
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await
                    .context("POST /api/v1/tickets")?;
                if resp.status() != reqwest::StatusCode::CREATED {
                    bail!(
                        "POST /api/v1/tickets answered {}: {}",
                        resp.status(),
                        resp.text().await.unwrap_or_default()
                    );
                }
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.context("a client panicked")??;
    }
    Ok(())
}

/// Waits until `total` messages are in the outbox and until all of them are sent; the times
/// are from `started`. A message that failed for good fails the run.
async fn wait_sent(
    db: &Database,
    total: usize,
    started: Instant,
) -> anyhow::Result<(Duration, Duration)> {
    let mut composed_at = None;
    loop {
        let counts = db.execute(
            "SELECT COUNT(*) || ' ' || COUNT(sent_at) || ' ' || \
             SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END) FROM outbox",
        )?;
        let mut parts = counts
            .split_whitespace()
            .map(|p| p.parse::<usize>().unwrap_or(0));
        let (stored, sent, failed) = (
            parts.next().unwrap_or(0),
            parts.next().unwrap_or(0),
            parts.next().unwrap_or(0),
        );
        if failed > 0 {
            bail!("{failed} messages failed for good; see the server's log");
        }
        if stored >= total && composed_at.is_none() {
            composed_at = Some(started.elapsed());
        }
        if let Some(composed_at) = composed_at
            && sent >= total
        {
            return Ok((composed_at, started.elapsed()));
        }
        if started.elapsed() > PHASE_LIMIT {
            bail!("after {PHASE_LIMIT:?} only {stored} of {total} messages stored, {sent} sent");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
