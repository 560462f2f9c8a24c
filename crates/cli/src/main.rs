//! `frontline`: the one binary. It serves the desk and administers its database.
//!
//! Each subcommand lives in its own module; all of them open the database the same way
//! (`open_desk`) and act through `frontline_core`, never on tables directly — except
//! `generate`, which bulk-loads synthetic history for load tests.

mod args;
mod commands;
mod config;
mod demo;
mod generate;
mod mailbox;
mod serve;

use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use frontline_core::{Desk, Store};

use crate::args::{Cli, Command, LogFormat};
use crate::config::{Config, Database};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let listen = match &cli.command {
        Command::Serve(s) => s.listen,
        _ => None,
    };
    let serving = matches!(cli.command, Command::Serve(_));
    let config = match Config::load(&cli.global, listen, serving) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("frontline: {e:#}");
            return ExitCode::from(2);
        }
    };
    init_logging(&config);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("frontline: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("frontline: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve(args) => {
            let public_url = args.public_url.as_deref();
            serve::run(
                &config,
                args.demo,
                args.smtp_listen,
                &args.trusted_proxies,
                public_url,
            )
            .await
        }
        Command::Migrate => {
            let desk = open_desk(&config).await?;
            desk.store().close().await;
            println!("migrations applied");
            Ok(())
        }
        Command::User(cmd) => commands::user(&open_desk(&config).await?, cmd).await,
        Command::Token(cmd) => commands::token(&open_desk(&config).await?, cmd).await,
        Command::Mailbox(cmd) => mailbox::run(&open_desk(&config).await?, cmd).await,
        Command::Generate(args) => {
            let desk = open_desk(&config).await?;
            let summary = generate::run(&desk, args.tickets, args.seed, !args.quiet).await?;
            desk.store().close().await;
            println!("{summary}");
            Ok(())
        }
    }
}

/// Opens the configured database and applies pending migrations.
pub async fn open_desk(config: &Config) -> anyhow::Result<Desk> {
    let store = match &config.database {
        Database::SqliteDir(dir) => Store::open_sqlite(dir)
            .await
            .with_context(|| format!("cannot open the SQLite database in {}", dir.display()))?,
        Database::Url(url) => Store::open_url(url)
            .await
            .with_context(|| format!("cannot open the database at {}", config::redact(url)))?,
    };
    store
        .migrate()
        .await
        .context("cannot apply database migrations")?;
    Ok(Desk::new(store))
}

fn init_logging(config: &Config) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_new(&config.log).unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr);
    match config.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}
