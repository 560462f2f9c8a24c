//! What one database's run measured, and the Markdown table that sets the backends side by
//! side with the targets.

use std::path::Path;
use std::time::Duration;

use crate::db::Backend;
use crate::load::{COMMENTS, Created, Queue, TicketPage};
use crate::server::Memory;
use crate::sla::SlaResults;
use crate::stats::{megabytes, ms, thousands};

/// Everything measured on one database.
#[derive(Debug, Default)]
pub struct Results {
    pub tickets: u64,
    pub generate: Duration,
    pub db_bytes: u64,
    pub startups: Vec<Duration>,
    pub idle: Memory,
    pub queue: Queue,
    pub page: TicketPage,
    pub created: Created,
    pub after: Memory,
    /// `None` when the SLA stage was skipped.
    pub sla: Option<SlaResults>,
}

/// The parameters the row labels name.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub clients: usize,
    pub depth: usize,
    pub restarts: usize,
}

type Cell = Box<dyn Fn(&Results) -> String>;

type Row = (String, &'static str, Cell);

/// Every row of the table, in the order printed: the desk, its API, the SLA stage, memory.
fn rows(shape: Shape) -> Vec<Row> {
    let mut rows = desk_rows(shape);
    rows.extend(api_rows(shape));
    rows.extend(sla_rows(shape));
    rows.extend(memory_rows());
    rows
}

/// The generated desk and its start-up.
fn desk_rows(shape: Shape) -> Vec<Row> {
    vec![
        (
            "tickets generated".into(),
            "",
            Box::new(|r: &Results| thousands(r.tickets)),
        ),
        (
            "`generate` rate".into(),
            "",
            Box::new(|r: &Results| {
                let rate = r.tickets as f64 / r.generate.as_secs_f64().max(1e-9);
                format!(
                    "{} tickets/s ({:.0} s)",
                    thousands(rate as u64),
                    r.generate.as_secs_f64()
                )
            }),
        ),
        (
            "database size after `generate`".into(),
            "",
            Box::new(|r: &Results| megabytes(r.db_bytes)),
        ),
        (
            format!(
                "start-up to first 200 from /readyz, median (best) of {}",
                shape.restarts
            ),
            "",
            Box::new(|r: &Results| {
                let mut sorted = r.startups.clone();
                sorted.sort_unstable();
                match (sorted.get(sorted.len() / 2), sorted.first()) {
                    (Some(mid), Some(best)) => format!("{} ms ({} ms)", ms(*mid), ms(*best)),
                    _ => "no samples".into(),
                }
            }),
        ),
    ]
}

/// The API: creation, and the reads of the queue and the ticket page.
fn api_rows(shape: Shape) -> Vec<Row> {
    vec![
        (
            format!("API creation, {} clients", shape.clients),
            "≥ 2,000 tickets/s (SQLite)",
            Box::new(|r: &Results| {
                format!(
                    "{} tickets/s ({} in {:.1} s)",
                    thousands(r.created.per_second() as u64),
                    thousands(r.created.tickets as u64),
                    r.created.elapsed.as_secs_f64()
                )
            }),
        ),
        (
            "API creation latency p50 / p99 (ms)".into(),
            "",
            Box::new(|r: &Results| r.created.latency.p50_p99()),
        ),
        (
            "queue, first page of 50, p50 / p99 (ms)".into(),
            "p99 ≤ 20 ms",
            Box::new(|r: &Results| r.queue.first.p50_p99()),
        ),
        (
            format!("queue, pages 2–{} by cursor, p50 / p99 (ms)", shape.depth),
            "p99 ≤ 20 ms",
            Box::new(|r: &Results| r.queue.deeper.p50_p99()),
        ),
        (
            "GET ticket, p50 / p99 (ms)".into(),
            "",
            Box::new(|r: &Results| r.page.ticket.p50_p99()),
        ),
        (
            format!("GET its {COMMENTS} comments, p50 / p99 (ms)"),
            "",
            Box::new(|r: &Results| r.page.comments.p50_p99()),
        ),
        (
            format!("ticket page (ticket + {COMMENTS} comments), p50 / p99 (ms)"),
            "p99 ≤ 10 ms",
            Box::new(|r: &Results| r.page.both.p50_p99()),
        ),
    ]
}

/// The SLA stage: queues by due time and timers fired after a restart.
fn sla_rows(shape: Shape) -> Vec<Row> {
    vec![
        (
            "SLA: open tickets with a due time (the whole desk reopened)".into(),
            "",
            sla_cell(|s| thousands(s.open_with_due)),
        ),
        (
            "SLA queue by due time, first page of 50, p50 / p99 (ms)".into(),
            "p99 ≤ 20 ms",
            sla_cell(|s| s.due_first.p50_p99()),
        ),
        (
            format!(
                "SLA queue by due time, pages 2–{} by cursor, p50 / p99 (ms)",
                shape.depth
            ),
            "p99 ≤ 20 ms",
            sla_cell(|s| s.due_deeper.p50_p99()),
        ),
        (
            "SLA breached queue, first page, p50 / p99 (ms)".into(),
            "",
            sla_cell(|s| s.breached_first.p50_p99()),
        ),
        (
            "SLA timers fired by a node restarted with a backlog".into(),
            "",
            sla_cell(|s| {
                format!(
                    "{} timers/s ({} in {:.1} s)",
                    thousands(s.timers_per_second() as u64),
                    thousands(s.timers as u64),
                    s.drain.as_secs_f64()
                )
            }),
        ),
    ]
}

/// The server's memory after start-up and after the load.
fn memory_rows() -> Vec<Row> {
    let kb = |k: u64| megabytes(k * 1024);
    vec![
        (
            "server RSS after start-up (VmRSS)".into(),
            "",
            Box::new(move |r: &Results| kb(r.idle.rss_kb)),
        ),
        (
            "server RSS after the load (VmRSS)".into(),
            "≤ 150 MB",
            Box::new(move |r: &Results| kb(r.after.rss_kb)),
        ),
        (
            "server peak RSS (VmHWM)".into(),
            "≤ 150 MB",
            Box::new(move |r: &Results| kb(r.after.peak_kb)),
        ),
    ]
}

/// A cell of the SLA stage, or "skipped" when it did not run.
fn sla_cell(cell: impl Fn(&SlaResults) -> String + 'static) -> Cell {
    Box::new(move |r: &Results| r.sla.as_ref().map_or("skipped".into(), &cell))
}

/// The table: one column per backend; `None` for a backend not run, `Err` for one that failed.
pub fn table(shape: Shape, runs: &[(Backend, Option<Result<Results, String>>)]) -> String {
    let mut out = String::from("| metric |");
    for (backend, _) in runs {
        out.push_str(&format!(" {backend} |"));
    }
    out.push_str(" target |\n|---|");
    for _ in runs {
        out.push_str("---|");
    }
    out.push_str("---|\n");
    for (metric, target, cell) in rows(shape) {
        out.push_str(&format!("| {metric} |"));
        for (_, run) in runs {
            let text = match run {
                Some(Ok(r)) => cell(r),
                Some(Err(_)) => "failed".into(),
                None => "not run".into(),
            };
            out.push_str(&format!(" {text} |"));
        }
        out.push_str(&format!(
            " {} |\n",
            if target.is_empty() { "—" } else { target }
        ));
    }
    out
}

/// Sample counts, so a reader can judge how much a percentile rests on.
pub fn notes(runs: &[(Backend, Option<Result<Results, String>>)]) -> String {
    let mut out = String::new();
    for (backend, run) in runs {
        match run {
            Some(Ok(r)) => {
                out.push_str(&format!(
                    "- {backend}: {} first-page and {} deeper queue requests (deepest page {}, \
                     {} tickets on the first page); {} ticket-page reads; {} tickets created\n",
                    r.queue.first.len(),
                    r.queue.deeper.len(),
                    r.queue.depth,
                    r.queue.first_items,
                    r.page.both.len(),
                    r.created.tickets,
                ));
                if let Some(s) = &r.sla {
                    out.push_str(&format!(
                        "- {backend}, SLA: {} first-page and {} deeper requests of the due \
                         queue, {} of the breached queue; due times written in bulk as the \
                         reconcile keeps them; timers of tickets under a one-minute policy \
                         (a warning and a breach each), fired by a server started after all \
                         were due, timed from its spawn\n",
                        s.due_first.len(),
                        s.due_deeper.len(),
                        s.breached_first.len(),
                    ));
                }
            }
            Some(Err(e)) => out.push_str(&format!("- {backend} failed: {e}\n")),
            None => {}
        }
    }
    out
}

/// The command line and the facts about the machine a reader needs to compare figures.
pub fn header(bin: &Path, postgres_url: Option<&str>) -> String {
    let command: Vec<String> = std::env::args().collect();
    let cpus = std::thread::available_parallelism().map_or(0, usize::from);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix("model name")
                    .map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned())
            })
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .next()
                .map(|l| l.split_whitespace().nth(1).unwrap_or("?").to_owned())
        })
        .and_then(|kb| kb.parse::<u64>().ok())
        .map_or("?".into(), |kb| {
            format!("{:.1} GiB", kb as f64 / 1024.0 / 1024.0)
        });
    let version = std::process::Command::new(bin)
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let postgres = postgres_url
        .and_then(|url| crate::db::psql(url, "SHOW server_version").ok())
        .map(|v| format!(", PostgreSQL {v}"))
        .unwrap_or_default();
    format!(
        "command: `{}`\nbinary: {} ({version}{postgres})\nmachine: nproc {cpus}, {model}, {memory} RAM\n\
         clients and server share this machine; all traffic is on loopback\n",
        command.join(" "),
        bin.display()
    )
}
