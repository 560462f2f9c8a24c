//! `frontline-bench`: measures a release build of `frontline` from outside, over HTTP on
//! loopback, at realistic scale, and prints the Markdown table the README quotes.
//!
//! For each database (`desk`) it loads `--tickets` with `frontline generate`, restarts
//! `frontline serve` a few times to time start-up, then runs the client loops in `load` and
//! reads the server's memory from /proc. The mail stages run on desks of their own. Databases (`db`) and servers (`server`) are guards that clean
//! up when dropped, also on error or Ctrl-C.

mod console;
mod db;
mod desk;
mod dovecot;
mod load;
mod mail_in;
mod mail_out;
mod postfix;
mod report;
mod serve;
mod server;
mod sla;
mod stats;
mod work;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, ValueEnum};

use crate::db::Backend;
use crate::work::WorkDir;

#[derive(Debug, Parser)]
#[command(about = "Benchmark a release build of frontline on SQLite and PostgreSQL")]
struct Args {
    /// Tickets to generate before measuring.
    #[arg(long, default_value_t = 1_000_000)]
    tickets: u64,
    /// Which databases to measure.
    #[arg(long, value_enum, default_value_t = Which::Both)]
    backend: Which,
    /// The binary under test (default: `frontline` beside this program, i.e. target/release).
    #[arg(long)]
    frontline: Option<PathBuf>,
    /// A PostgreSQL server, as a URL to any database on it; a fresh database is created there
    /// with psql and dropped afterwards.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    postgres_url: String,
    /// Scratch folder for the SQLite database and server logs; must not exist; removed
    /// afterwards (default /tmp/frontline-bench-PID).
    #[arg(long)]
    work_dir: Option<PathBuf>,
    /// Concurrent clients creating tickets.
    #[arg(long, default_value_t = 8)]
    clients: usize,
    /// Time limit of each measuring loop, in seconds.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Most tickets the creation load may create.
    #[arg(long, default_value_t = 20_000)]
    max_creates: usize,
    /// Most requests of each read loop (the queue walk, the ticket page).
    #[arg(long, default_value_t = 5_000)]
    max_reads: usize,
    /// Pages of the queue walked by cursor before starting at the top again.
    #[arg(long, default_value_t = 20)]
    depth: usize,
    /// Server starts timed (median and best are reported).
    #[arg(long, default_value_t = 3)]
    restarts: usize,
    /// Tickets opened under a one-minute SLA policy whose timers (two each) are fired as a
    /// backlog after a restart; 0 skips the SLA stage.
    #[arg(long, default_value_t = 2_000)]
    sla_tickets: usize,
    /// Console pages (queues, a saved view, a ticket) read by a signed-in agent (see
    /// `console`); 0 skips the console stage.
    #[arg(long, default_value_t = 4_000)]
    console_reads: usize,
    /// Concurrent browser sessions of the console stage.
    #[arg(long, default_value_t = 4)]
    console_clients: usize,
    /// Inbound mail: messages read from a real Dovecot's IMAP folder, and as many again sent
    /// over SMTP, into a desk of its own (see `mail_in`); 0 skips the mail stage.
    #[arg(long, default_value_t = 0)]
    mail_messages: usize,
    /// Concurrent SMTP clients of the mail stage.
    #[arg(long, default_value_t = 8)]
    mail_clients: usize,
    /// Only the mail stage (no generated desk, no ticket or SLA measures).
    #[arg(long)]
    mail_only: bool,
    /// Outbound mail: tickets opened (by `--mail-clients` API clients) whose acknowledgements
    /// go through the outbox to a real Postfix (see `mail_out`); 0 skips it.
    #[arg(long, default_value_t = 0)]
    mail_out: usize,
    /// A folder where generated desks are kept between runs: the first run of a backend and
    /// ticket count generates and keeps a copy (SQLite: a folder there; PostgreSQL: a template
    /// database `frontline_bench_desk_N`), later runs start from a copy of it instead of
    /// generating again. Removing them is up to you.
    #[arg(long)]
    desks: Option<PathBuf>,
    /// Stop after the console stage (no ticket creation, SLA or report table).
    #[arg(long)]
    console_only: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Which {
    Sqlite,
    Postgres,
    Both,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    tokio::select! {
        result = run(&args) => match result {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::FAILURE,
            Err(e) => {
                eprintln!("frontline-bench: {e:#}");
                ExitCode::FAILURE
            }
        },
        _ = tokio::signal::ctrl_c() => {
            eprintln!("frontline-bench: interrupted; servers stopped and scratch data removed");
            ExitCode::from(130)
        }
    }
}

/// Measures every chosen backend and prints the table; `Ok(false)` if one of them failed.
async fn run(args: &Args) -> anyhow::Result<bool> {
    let bin = binary_under_test(args)?;
    let work = WorkDir::create(args.work_dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("frontline-bench-{}", std::process::id()))
    }))?;
    let backends: &[Backend] = match args.backend {
        Which::Sqlite => &[Backend::Sqlite],
        Which::Postgres => &[Backend::Postgres],
        Which::Both => &[Backend::Sqlite, Backend::Postgres],
    };
    let postgres = (args.backend != Which::Sqlite).then_some(args.postgres_url.as_str());
    println!("{}", report::header(&bin, postgres));

    let mail = MailStage {
        backends,
        work: &work,
    };
    if args.mail_out > 0 {
        let out = mail.each("outbound mail", |b| {
            mail_out::measure(
                b,
                &bin,
                work.path(),
                &args.postgres_url,
                args.mail_out,
                args.mail_clients,
            )
        });
        let out = out.await;
        println!("{}", mail_out::table(&out));
        if !mail.passed(&out) {
            return Ok(false);
        }
        if args.mail_only && args.mail_messages == 0 {
            return Ok(true);
        }
    }
    if args.mail_messages > 0 {
        let inbound = mail.each("inbound mail", |b| {
            mail_in::measure(
                b,
                &bin,
                work.path(),
                &args.postgres_url,
                args.mail_messages,
                args.mail_clients,
            )
        });
        let inbound = inbound.await;
        println!("{}", mail_in::table(&inbound));
        if !mail.passed(&inbound) {
            return Ok(false);
        }
        if args.mail_only {
            return Ok(true);
        }
    }
    desk::stages(backends, &bin, &work, args).await
}

/// The binary `--frontline` names, or `frontline` beside this program.
fn binary_under_test(args: &Args) -> anyhow::Result<PathBuf> {
    let bin = match &args.frontline {
        Some(path) => path.clone(),
        None => std::env::current_exe()
            .context("cannot find this program's path")?
            .with_file_name("frontline"),
    };
    if !bin.is_file() {
        bail!(
            "{} not found; build it with `cargo build --release -p frontline` or pass --frontline",
            bin.display()
        );
    }
    Ok(bin)
}

/// A mail stage, run on every chosen backend, each on a desk of its own.
struct MailStage<'a> {
    backends: &'a [Backend],
    work: &'a WorkDir,
}

type Outcome<T> = Vec<(Backend, Result<T, String>)>;

impl MailStage<'_> {
    /// `measure` on each backend in turn; a failure is printed and kept in the outcome.
    async fn each<T, F, Fut>(&self, what: &str, measure: F) -> Outcome<T>
    where
        F: Fn(Backend) -> Fut,
        Fut: std::future::Future<Output = anyhow::Result<T>>,
    {
        let mut out = Vec::new();
        for &backend in self.backends {
            eprintln!("== {backend}: {what}");
            let result = measure(backend).await;
            if let Err(e) = &result {
                eprintln!("frontline-bench: {backend} {what}: {e:#}");
            }
            out.push((backend, result.map_err(|e| format!("{e:#}"))));
        }
        out
    }

    /// Whether every backend passed; if not, the scratch folder is kept for its logs.
    fn passed<T>(&self, out: &Outcome<T>) -> bool {
        let ok = out.iter().all(|(_, r)| r.is_ok());
        if !ok {
            self.work.keep();
        }
        ok
    }
}
