//! `frontline-bench`: measures a release build of `frontline` from outside, over HTTP on
//! loopback, at realistic scale, and prints the Markdown table the README quotes.
//!
//! For each database it loads `--tickets` with `frontline generate`, restarts `frontline
//! serve` a few times to time start-up, then runs the client loops in `load` and reads the
//! server's memory from /proc. Databases (`db`) and servers (`server`) are guards that clean
//! up when dropped, also on error or Ctrl-C.

mod console;
mod db;
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

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::{Parser, ValueEnum};

use crate::db::{Backend, Database, Desks};
use crate::load::{Api, Bounds};
use crate::report::{Results, Shape};
use crate::server::Frontline;
use crate::work::WorkDir;

const AGENT: &str = "bench-agent@example.org";
const ADMIN: &str = "bench-admin@example.org";

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
    desk_stages(backends, &bin, &work, args).await
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

/// The generated desk's stages (start-up, queue, ticket page, console, creation, SLA) on
/// every chosen backend, and their table.
async fn desk_stages(
    backends: &[Backend],
    bin: &Path,
    work: &WorkDir,
    args: &Args,
) -> anyhow::Result<bool> {
    let mut runs: Vec<(Backend, Option<Result<Results, String>>)> =
        vec![(Backend::Sqlite, None), (Backend::Postgres, None)];
    for &backend in backends {
        eprintln!("== {backend}");
        let result = measure(backend, bin, work.path(), args).await;
        if let Err(e) = &result {
            eprintln!("frontline-bench: {backend}: {e:#}");
        }
        if let Some(slot) = runs.iter_mut().find(|(b, _)| *b == backend) {
            slot.1 = Some(result.map_err(|e| format!("{e:#}")));
        }
    }
    let shape = Shape {
        clients: args.clients,
        depth: args.depth,
        restarts: args.restarts.max(1),
    };
    if !args.console_only {
        println!("{}", report::table(shape, &runs));
        print!("{}", report::notes(&runs));
    }
    let ok = runs.iter().all(|(_, r)| !matches!(r, Some(Err(_))));
    if !ok {
        work.keep();
    }
    Ok(ok)
}

/// Everything measured on one backend, on a database created for it and removed afterwards.
async fn measure(
    backend: Backend,
    bin: &Path,
    work: &Path,
    args: &Args,
) -> anyhow::Result<Results> {
    let log_dir = work.join(format!("logs-{}", format!("{backend:?}").to_lowercase()));
    std::fs::create_dir_all(&log_dir)
        .with_context(|| format!("cannot create {}", log_dir.display()))?;
    let db = match backend {
        Backend::Sqlite => Database::sqlite(&work.join("sqlite"))?,
        Backend::Postgres => Database::postgres(
            &args.postgres_url,
            &format!("frontline_bench_{}", std::process::id()),
        )?,
    };
    let frontline = Frontline::new(bin, db.args.clone(), &log_dir);
    let mut results = Results {
        tickets: args.tickets,
        ..Results::default()
    };
    prepare_desk(&frontline, &db, args, &mut results).await?;
    let token = add_user(&frontline, AGENT, "Bench Agent", "agent").await?;

    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(60))
        .build()
        .context("cannot build the HTTP client")?;
    let server = start_timed(&frontline, &client, args.restarts.max(1), &mut results).await?;
    results.idle = server.memory()?;
    let api = Api {
        client,
        base: server.base().to_owned(),
        token,
    };
    let time = Duration::from_secs(args.seconds);
    let reads = Bounds {
        requests: args.max_reads,
        time,
    };
    load::warm_up(&api).await?;
    if !args.console_only {
        eprintln!("walking the queue…");
        results.queue = load::walk_queue(&api, args.depth, reads).await?;
        eprintln!("reading a ticket page…");
        results.page = load::read_ticket_page(&api, reads).await?;
    }
    if args.console_reads > 0 {
        read_console(&frontline, &server, backend, args, time).await?;
    }
    if args.console_only {
        server.stop().await?;
        return Ok(results);
    }
    eprintln!("creating tickets with {} clients…", args.clients);
    let creates = Bounds {
        requests: args.max_creates,
        time,
    };
    results.created = load::create_tickets(&api, args.clients, creates).await?;
    results.after = server.memory()?;
    server.stop().await?;
    if args.sla_tickets > 0 {
        let admin = add_user(&frontline, ADMIN, "Bench Admin", "admin").await?;
        let sla = measure_sla(&frontline, &db, &api, admin, args, reads).await?;
        results.sla = Some(sla);
    }
    Ok(results)
}

/// The desk to measure: a copy of the kept one (`--desks`), or `--tickets` generated now
/// (timed, analyzed, and kept when asked); its size on disk.
async fn prepare_desk(
    frontline: &Frontline,
    db: &Database,
    args: &Args,
    results: &mut Results,
) -> anyhow::Result<()> {
    let desks = args.desks.as_ref().map(|dir| Desks {
        dir: dir.clone(),
        tickets: args.tickets,
    });
    let started = Instant::now();
    let restored = match &desks {
        Some(d) => db.restore(d)?,
        None => false,
    };
    if restored {
        eprintln!("started from the kept desk of {} tickets", args.tickets);
    } else {
        eprintln!("generating {} tickets…", args.tickets);
        let tickets = args.tickets.to_string();
        let summary = frontline
            .run(&["generate", "--tickets", &tickets, "--quiet"])
            .await?;
        results.generate = started.elapsed();
        eprintln!("{summary}");
        db.settle().context("cannot analyze the database")?;
        if let Some(d) = &desks {
            db.keep_as(d).context("cannot keep the generated desk")?;
        }
    }
    results.db_bytes = db.size().context("cannot measure the database")?;
    Ok(())
}

/// Starts the server `restarts` times (each start-up timed) and keeps the last one running.
async fn start_timed(
    frontline: &Frontline,
    client: &reqwest::Client,
    restarts: usize,
    results: &mut Results,
) -> anyhow::Result<server::Server> {
    let mut server = None;
    for run in 0..restarts {
        if let Some(previous) = server.take() {
            server::Server::stop(previous).await?;
        }
        let (started, took) = frontline.serve(client, run).await?;
        eprintln!("start-up {}: {} ms", run + 1, stats::ms(took));
        results.startups.push(took);
        server = Some(started);
    }
    server.context("no server started")
}

/// The console stage: its pages read by signed-in sessions; prints its own table.
async fn read_console(
    frontline: &Frontline,
    server: &server::Server,
    backend: Backend,
    args: &Args,
    time: Duration,
) -> anyhow::Result<()> {
    eprintln!(
        "reading console pages with {} sessions…",
        args.console_clients
    );
    let admin = console::admin_token(frontline).await?;
    let bounds = Bounds {
        requests: args.console_reads,
        time,
    };
    let pages = console::measure(server.base(), &admin, args.console_clients, bounds).await?;
    println!("{}", console::table(&backend.to_string(), &pages));
    Ok(())
}

/// A user of `role` and their API token.
async fn add_user(
    frontline: &Frontline,
    email: &str,
    name: &str,
    role: &str,
) -> anyhow::Result<String> {
    let user = [
        "user", "add", "--email", email, "--name", name, "--role", role,
    ];
    frontline.run(&user).await?;
    frontline.run(&["token", "create", "--email", email]).await
}

/// The SLA stage (see `sla`), on the desk the other measurements left, its server stopped.
async fn measure_sla(
    frontline: &Frontline,
    db: &Database,
    api: &Api,
    admin_token: String,
    args: &Args,
    reads: Bounds,
) -> anyhow::Result<sla::SlaResults> {
    let mut out = sla::SlaResults::default();
    eprintln!("opening every ticket with SLA state…");
    db.execute(&sla::open_desk_sql(sla::now_micros()))?;
    db.settle().context("cannot analyze the database")?;
    let count = db.execute(
        "SELECT COUNT(*) FROM tickets WHERE status IN ('new', 'open') AND sla_due_at IS NOT NULL",
    )?;
    out.open_with_due = count
        .parse()
        .with_context(|| format!("the count of open tickets was {count:?}"))?;
    let (server, _) = frontline.serve(&api.client, args.restarts.max(1)).await?;
    let client = |token: &str| sla::Client {
        http: api.client.clone(),
        base: server.base().to_owned(),
        token: token.to_owned(),
    };
    eprintln!("walking the queue by due time…");
    sla::walk(
        &client(&api.token),
        args.depth,
        reads.requests,
        reads.time,
        &mut out,
    )
    .await?;

    eprintln!(
        "opening {} tickets under a one-minute SLA…",
        args.sla_tickets
    );
    let admin = client(&admin_token);
    let all_due = sla::open_timed_tickets(&admin, args.sla_tickets).await?;
    let fired_before = sla::timers_done(&admin).await?;
    server.stop().await?;
    eprintln!("server stopped until their timers are due…");
    tokio::time::sleep_until(all_due.into()).await;
    let started = Instant::now();
    let (server, _) = frontline
        .serve(&api.client, args.restarts.max(1) + 1)
        .await?;
    let admin = sla::Client {
        base: server.base().to_owned(),
        ..admin
    };
    out.drain = sla::drain(&admin, started).await?;
    out.timers = sla::timers_done(&admin).await? - fired_before;
    sla::check_breached(&admin, args.sla_tickets).await?;
    eprintln!(
        "{} timers fired in {:.1} s after the restart",
        out.timers,
        out.drain.as_secs_f64()
    );
    server.stop().await?;
    Ok(out)
}
