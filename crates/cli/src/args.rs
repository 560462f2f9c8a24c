//! Command-line flags. Global flags (`--data-dir`, `--database-url`, `--config`, logging)
//! are accepted before or after the subcommand, and each has a `FRONTLINE_*` variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "frontline",
    version,
    about = "Frontline: a self-hosted IT service desk"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// Folder for the embedded SQLite database (default ./frontline-data).
    #[arg(long, global = true, env = "FRONTLINE_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// postgres://USER@HOST:PORT/DB or sqlite:PATH; overrides --data-dir.
    #[arg(
        long,
        global = true,
        env = "FRONTLINE_DATABASE_URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// A TOML file with any of: data_dir, database_url, listen, public_url, log_format, log.
    #[arg(long, global = true, env = "FRONTLINE_CONFIG")]
    pub config: Option<PathBuf>,
    /// Log lines as text (default) or JSON.
    #[arg(long, global = true, env = "FRONTLINE_LOG_FORMAT", value_enum)]
    pub log_format: Option<LogFormat>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the desk over HTTP.
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Manage people.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Fill the database with realistic tickets for demos and load tests.
    Generate(GenerateArgs),
    /// Configure the mailboxes the desk reads mail for and sends mail from.
    #[command(subcommand)]
    Mailbox(MailboxCommand),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (the URL is printed).
    #[arg(long, env = "FRONTLINE_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// Fill an empty desk with demo data and print the demo accounts.
    #[arg(long)]
    pub demo: bool,
    /// Also receive mail over SMTP on this address (for a mail server to relay to);
    /// recipients that are no configured mailbox are refused.
    #[arg(long, env = "FRONTLINE_SMTP_LISTEN")]
    pub smtp_listen: Option<SocketAddr>,
    /// A reverse proxy (address or CIDR network) whose X-Forwarded-For names the client, for
    /// sign-in throttling per address; repeatable, or comma-separated in the variable.
    #[arg(
        long = "trusted-proxy",
        value_name = "CIDR",
        env = "FRONTLINE_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<String>,
    /// The URL people reach the desk at (https://help.example.org), for links in mail: the
    /// ticket's portal page to requesters, its console page to agents. Without it mail
    /// carries no links.
    #[arg(long, value_name = "URL", env = "FRONTLINE_PUBLIC_URL")]
    pub public_url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum MailboxCommand {
    /// Configure a mailbox: mail for ADDRESS is read from --imap (or received by
    /// `serve --smtp-listen`) and mail from it is sent through --smtp.
    Add(MailboxAddArgs),
    /// List the configured mailboxes (passwords hidden).
    List,
}

#[derive(Debug, Args)]
pub struct MailboxAddArgs {
    #[arg(long)]
    pub address: String,
    /// imaps://USER:PASS@HOST:PORT/INBOX (imap:// only on this machine); %-encode `@` and
    /// `:` in the user and password. For XOAUTH2 (Microsoft 365, Google Workspace) end
    /// the user with `;AUTH=XOAUTH2` and put the OAuth access token where the password goes.
    #[arg(long)]
    pub imap: Option<String>,
    /// smtp://HOST:PORT, smtps://USER:PASS@HOST:PORT or smtp+starttls://…; XOAUTH2 as for
    /// --imap.
    #[arg(long)]
    pub smtp: Option<String>,
    /// The name mail from this address shows ("IT Help"): agents' replies come from
    /// "Agent Name (IT Help)", the desk's own mail from "IT Help".
    #[arg(long)]
    pub name: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a person.
    Add(UserAddArgs),
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    #[arg(long)]
    pub email: String,
    #[arg(long)]
    pub name: String,
    /// requester, agent, manager or admin.
    #[arg(long)]
    pub role: String,
    /// Organization name (default: the one whose domain matches the email).
    #[arg(long)]
    pub organization: Option<String>,
    /// Read a password from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a person and print it on standard output.
    Create(TokenCreateArgs),
}

#[derive(Debug, Args)]
pub struct TokenCreateArgs {
    #[arg(long)]
    pub email: String,
    /// A label to recognise the token by.
    #[arg(long, default_value = "cli")]
    pub name: String,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// How many tickets to add.
    #[arg(long)]
    pub tickets: u64,
    /// Seed for repeatable data.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}
