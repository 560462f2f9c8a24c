//! The inbound mail benchmark (`--mail-messages N`), on a desk of its own per database:
//!
//! - IMAP: a real Dovecot (Debian's dovecot-imapd, started here on a free loopback port with
//!   a throwaway configuration) whose INBOX holds N generated messages, written straight into
//!   its Maildir; `frontline serve` starts with that mailbox configured and is timed until
//!   every message is stored and until every one is ingested (a ticket, comment or note);
//! - SMTP: N more messages sent by `--mail-clients` concurrent SMTP clients (each a
//!   connection sending one message after another) to `serve --smtp-listen`, timed until
//!   the last 250 and until every message is ingested;
//! - the server's peak memory (VmHWM) after both.
//!
//! Messages are generated like a help desk's mail: 2,000 senders at 40 client domains (no
//! sender near the per-sender limit), IT subjects, one in three a reply quoting the message
//! it answers (In-Reply-To), one in ten HTML with a text part, one in twenty with a small
//! attachment. Progress is read from the database with the `sqlite3` or `psql` shell.

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::db::{Backend, Database};
use crate::dovecot::{ACCOUNT as IMAP_BOX, Dovecot};
use crate::serve::{Serve, command};
use crate::stats;

const SMTP_BOX: &str = "smtp@bench.example";
/// Longest wait for one phase: a stuck ingest is a failure, not a slow result.
const PHASE_LIMIT: Duration = Duration::from_secs(1_800);

/// What the mail stage measured on one database.
#[derive(Debug, Default)]
pub struct MailResults {
    pub messages: usize,
    pub imap_stored: Duration,
    pub imap_ingested: Duration,
    pub smtp_accepted: Duration,
    pub smtp_ingested: Duration,
    pub clients: usize,
    pub peak_rss_kb: u64,
    /// `state count` lines from the database at the end.
    pub outcomes: String,
}

/// Runs the mail stage for `backend` in `work`; the database is made here and dropped.
pub async fn measure(
    backend: Backend,
    bin: &Path,
    work: &Path,
    postgres_url: &str,
    messages: usize,
    clients: usize,
) -> anyhow::Result<MailResults> {
    let name = format!("{backend:?}").to_lowercase();
    let dir = work.join(format!("mail-{name}"));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let db = match backend {
        Backend::Sqlite => Database::sqlite(&dir.join("db"))?,
        Backend::Postgres => Database::postgres(
            postgres_url,
            &format!("frontline_bench_mail_{}", std::process::id()),
        )?,
    };
    let dovecot = Dovecot::start(&dir.join("dovecot"))?;
    eprintln!("writing {messages} messages into the IMAP folder…");
    let imap_mail = Corpus::new("imap", messages);
    dovecot.fill((0..imap_mail.len()).map(|i| imap_mail.message(i, IMAP_BOX)))?;

    let admin = |args: &[&str]| command(bin, &db.args, args);
    admin(&["migrate"])?;
    admin(&[
        "mailbox",
        "add",
        "--address",
        IMAP_BOX,
        "--imap",
        &dovecot.url(),
    ])?;
    admin(&["mailbox", "add", "--address", SMTP_BOX])?;

    let mut results = MailResults {
        messages,
        clients,
        ..MailResults::default()
    };
    let started = Instant::now();
    let server = Serve::start(
        bin,
        &["--smtp-listen", "127.0.0.1:0"],
        &db.args,
        &dir,
        "Frontline receives mail on smtp://",
    )?;
    eprintln!("ingesting the IMAP folder…");
    let (stored, ingested) = wait_ingested(&db, messages, started).await?;
    (results.imap_stored, results.imap_ingested) = (stored, ingested);
    eprintln!(
        "IMAP: {} stored/s, {} ingested/s",
        stats::per_second(messages, stored),
        stats::per_second(messages, ingested)
    );

    eprintln!("sending {messages} messages over SMTP with {clients} clients…");
    let smtp_mail = Corpus::new("smtp", messages);
    let started = Instant::now();
    send_all(&server.address, &smtp_mail, clients).await?;
    results.smtp_accepted = started.elapsed();
    let (_, ingested) = wait_ingested(&db, 2 * messages, started).await?;
    results.smtp_ingested = ingested;
    eprintln!(
        "SMTP: {} accepted/s, {} ingested/s",
        stats::per_second(messages, results.smtp_accepted),
        stats::per_second(messages, ingested)
    );
    results.peak_rss_kb = server.peak_rss_kb()?;
    results.outcomes = db.execute(
        "SELECT state || ' ' || COUNT(*) FROM inbound_messages GROUP BY state ORDER BY state",
    )?;
    drop(server);
    Ok(results)
}

/// The Markdown lines the README quotes, one row per database measured.
pub fn table(runs: &[(Backend, Result<MailResults, String>)]) -> String {
    let mut out = String::from(
        "\n| Inbound mail | Messages | IMAP stored/s | IMAP ingested/s | SMTP accepted/s \
         (clients) | SMTP ingested/s | Peak RSS |\n|---|---|---|---|---|---|---|\n",
    );
    for (backend, run) in runs {
        let _ = match run {
            Ok(r) => writeln!(
                out,
                "| {backend} | {} | {} | {} | {} ({}) | {} | {} |",
                stats::thousands(r.messages as u64),
                stats::per_second(r.messages, r.imap_stored),
                stats::per_second(r.messages, r.imap_ingested),
                stats::per_second(r.messages, r.smtp_accepted),
                r.clients,
                stats::per_second(r.messages, r.smtp_ingested),
                stats::megabytes(r.peak_rss_kb * 1024),
            ),
            Err(e) => writeln!(out, "| {backend} | failed: {e} | | | | | |"),
        };
    }
    for (backend, run) in runs {
        if let Ok(r) = run {
            let outcomes = r.outcomes.lines().collect::<Vec<_>>().join(", ");
            let _ = writeln!(out, "\n{backend} outcomes: {outcomes}.");
        }
    }
    out
}

/// Waits until `total` messages are stored and until all of them are processed; the times
/// are from `started`.
async fn wait_ingested(
    db: &Database,
    total: usize,
    started: Instant,
) -> anyhow::Result<(Duration, Duration)> {
    let mut stored_at = None;
    loop {
        let counts =
            db.execute("SELECT COUNT(*) || ' ' || COUNT(processed_at) FROM inbound_messages")?;
        let mut parts = counts.split_whitespace().map(str::parse::<usize>);
        let (Some(Ok(stored)), Some(Ok(done))) = (parts.next(), parts.next()) else {
            bail!("unexpected counts from the database: {counts:?}");
        };
        if stored >= total && stored_at.is_none() {
            stored_at = Some(started.elapsed());
        }
        if let Some(stored_at) = stored_at
            && done >= total
        {
            return Ok((stored_at, started.elapsed()));
        }
        if started.elapsed() > PHASE_LIMIT {
            bail!(
                "after {PHASE_LIMIT:?} only {stored} of {total} messages stored, {done} ingested"
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Sends every message of `corpus` to `addr` over `clients` connections at once.
async fn send_all(addr: &str, corpus: &Corpus, clients: usize) -> anyhow::Result<()> {
    let clients = clients.max(1);
    let mut tasks = tokio::task::JoinSet::new();
    for c in 0..clients {
        let batch: Vec<(String, Vec<u8>)> = (c..corpus.len())
            .step_by(clients)
            .map(|i| (corpus.sender(i), corpus.message(i, SMTP_BOX)))
            .collect();
        let addr = addr.to_owned();
        tasks.spawn(async move { smtp_session(&addr, batch).await });
    }
    while let Some(done) = tasks.join_next().await {
        done.context("an SMTP client panicked")??;
    }
    Ok(())
}

/// One SMTP connection sending `messages` (envelope sender, bytes) one after another.
async fn smtp_session(addr: &str, messages: Vec<(String, Vec<u8>)>) -> anyhow::Result<()> {
    let stream = TcpStream::connect(addr)
        .await
        .with_context(|| format!("cannot connect to {addr}"))?;
    stream.set_nodelay(true)?;
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    expect(&mut read, "220").await?;
    write.write_all(b"EHLO bench.example\r\n").await?;
    expect(&mut read, "250").await?;
    for (from, data) in messages {
        let envelope = format!("MAIL FROM:<{from}>\r\nRCPT TO:<{SMTP_BOX}>\r\nDATA\r\n");
        write.write_all(envelope.as_bytes()).await?;
        expect(&mut read, "250").await?;
        expect(&mut read, "250").await?;
        expect(&mut read, "354").await?;
        // Dot-stuffing: the generated bodies never start a line with a dot.
        write.write_all(&data).await?;
        write.write_all(b".\r\n").await?;
        expect(&mut read, "250").await?;
    }
    write.write_all(b"QUIT\r\n").await?;
    Ok(())
}

/// Reads one (possibly multi-line) reply and fails unless it has `code`.
async fn expect<R: tokio::io::AsyncBufRead + Unpin>(
    read: &mut R,
    code: &str,
) -> anyhow::Result<()> {
    loop {
        let mut line = String::new();
        if read.read_line(&mut line).await? == 0 {
            bail!("the SMTP server closed the connection (expected {code})");
        }
        if !line.starts_with(code) {
            bail!(
                "the SMTP server answered {:?}, expected {code}",
                line.trim()
            );
        }
        if line.as_bytes().get(3) != Some(&b'-') {
            return Ok(());
        }
    }
}

/// Generated help-desk mail, the same for the same `label` and size.
struct Corpus {
    label: &'static str,
    count: usize,
}

const SUBJECTS: [&str; 12] = [
    "VPN drops every few minutes",
    "Printer on floor 3 jams",
    "Cannot open shared mailbox",
    "Laptop battery swells",
    "Password reset does not arrive",
    "Teams calls cut out",
    "New starter needs an account",
    "Excel macro blocked",
    "Wi-Fi in meeting room B",
    "Monitor flickers after update",
    "Access to the finance share",
    "Phone will not enrol in MDM",
];

impl Corpus {
    fn new(label: &'static str, count: usize) -> Self {
        Self { label, count }
    }

    fn len(&self) -> usize {
        self.count
    }

    fn sender(&self, i: usize) -> String {
        // A reply comes from whoever wrote the message it answers (a stranger's would open
        // a ticket of its own).
        let i = if i % 3 == 2 { i - 2 } else { i };
        // A spread that no sender repeats often: 2,000 people at 40 domains.
        let person = (i * 7919) % 2_000;
        format!("user{person}@client{}.example", person % 40)
    }

    fn id(&self, i: usize) -> String {
        format!("{}-{i}.{}@bench.example", self.label, std::process::id())
    }

    /// Message `i` to `to`, with CRLF line ends and no line starting with a dot.
    fn message(&self, i: usize, to: &str) -> Vec<u8> {
        let from = self.sender(i);
        let name = (i - if i % 3 == 2 { 2 } else { 0 }) % 2_000;
        let subject = SUBJECTS[i % SUBJECTS.len()];
        let mut headers = format!(
            "From: User {name} <{from}>\r\nTo: <{to}>\r\nDate: Mon, 23 Nov 2026 09:{:02}:{:02} +0100\r\n\
             Message-ID: <{}>\r\nMIME-Version: 1.0\r\n",
            (i / 60) % 60,
            i % 60,
            self.id(i)
        );
        let text = format!(
            "Hello,\r\n\r\n{subject} since this morning (case {i}). I restarted twice and it \
             still happens;\r\nthe error says code 0x{i:04x}. Could you have a look?\r\n\r\n\
             Thanks,\r\nUser {name}\r\n"
        );
        // One in three answers an earlier message of this run, quoting it.
        let (subject, text) = if i % 3 == 2 {
            let earlier = i - 2;
            let _ = write!(
                headers,
                "In-Reply-To: <{}>\r\nReferences: <{}>\r\n",
                self.id(earlier),
                self.id(earlier)
            );
            (
                format!("Re: {}", SUBJECTS[earlier % SUBJECTS.len()]),
                format!(
                    "It happened again just now.\r\n\r\nOn Monday you wrote:\r\n> {}\r\n> Could you have a look?\r\n",
                    SUBJECTS[earlier % SUBJECTS.len()]
                ),
            )
        } else {
            (subject.to_owned(), text)
        };
        let _ = write!(headers, "Subject: {subject}\r\n");
        let body = if i % 20 == 7 {
            let data: String = (0..2_048)
                .map(|k| char::from(b'A' + ((i + k) % 26) as u8))
                .collect::<Vec<_>>()
                .chunks(76)
                .map(|c| c.iter().collect::<String>() + "\r\n")
                .collect();
            format!(
                "Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n\
                 Content-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n--b{i}\r\n\
                 Content-Type: application/octet-stream; name=\"log{i}.txt\"\r\n\
                 Content-Disposition: attachment; filename=\"log{i}.txt\"\r\n\
                 Content-Transfer-Encoding: base64\r\n\r\n{data}--b{i}--\r\n"
            )
        } else if i % 10 == 3 {
            format!(
                "Content-Type: multipart/alternative; boundary=\"a{i}\"\r\n\r\n--a{i}\r\n\
                 Content-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n--a{i}\r\n\
                 Content-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>{}</p>\
                 <p style=\"color:red\">Sent from my phone</p></body></html>\r\n--a{i}--\r\n",
                text.replace("\r\n", "<br>")
            )
        } else {
            format!("Content-Type: text/plain; charset=utf-8\r\n\r\n{text}")
        };
        (headers + &body).into_bytes()
    }
}
