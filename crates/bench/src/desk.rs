//! The generated desk's stages on each chosen backend, one database after another: the desk
//! prepared (a kept copy, or generated and timed), start-up timed over restarts, the queue and
//! the ticket page read, the console, API creation, then the SLA stage; and their table.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::db::{Backend, Database, Desks};
use crate::load::{self, Api, Bounds};
use crate::report::{self, Results, Shape};
use crate::server::{self, Frontline};
use crate::work::WorkDir;
use crate::{Args, console, sla, stats};

const AGENT: &str = "bench-agent@example.org";
const ADMIN: &str = "bench-admin@example.org";

/// The generated desk's stages (start-up, queue, ticket page, console, creation, SLA) on
/// every chosen backend, and their table.
pub(crate) async fn stages(
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
