//! The `frontline` binary under test, run as child processes: administrative commands run to
//! completion, `serve` runs until its [`Server`] guard drops. Every child is killed when its
//! guard or future is dropped, so an error or Ctrl-C never leaves a process behind.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::process::{Child, Command};

/// Variables the binary reads; cleared so the caller's environment cannot redirect a child
/// to another database or address.
const FRONTLINE_VARS: [&str; 6] = [
    "FRONTLINE_DATA_DIR",
    "FRONTLINE_DATABASE_URL",
    "FRONTLINE_CONFIG",
    "FRONTLINE_LOG_FORMAT",
    "FRONTLINE_LISTEN",
    "FRONTLINE_LOG",
];
/// A server that is not ready by then is broken, not slow.
const START_LIMIT: Duration = Duration::from_secs(300);
const LISTENING: &str = "Frontline is listening on ";

/// The binary plus the global flags that select the database under test.
#[derive(Debug, Clone)]
pub struct Frontline {
    bin: PathBuf,
    db_args: Vec<String>,
    log_dir: PathBuf,
}

impl Frontline {
    pub fn new(bin: &Path, db_args: Vec<String>, log_dir: &Path) -> Self {
        Self {
            bin: bin.to_owned(),
            db_args,
            log_dir: log_dir.to_owned(),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.args(args)
            .args(&self.db_args)
            .stdin(Stdio::null())
            .kill_on_drop(true);
        for var in FRONTLINE_VARS {
            cmd.env_remove(var);
        }
        cmd
    }

    /// Runs a subcommand to completion and returns its standard output, trimmed.
    pub async fn run(&self, args: &[&str]) -> anyhow::Result<String> {
        let shown = args.join(" ");
        let out = self
            .command(args)
            .output()
            .await
            .with_context(|| format!("cannot run {} {shown}", self.bin.display()))?;
        if !out.status.success() {
            bail!(
                "`frontline {shown}` failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }

    /// Starts `frontline serve` on a free loopback port and waits for the first 200 from
    /// `/readyz`; returns the server and the time from spawn to ready.
    pub async fn serve(
        &self,
        client: &reqwest::Client,
        run: usize,
    ) -> anyhow::Result<(Server, Duration)> {
        let log_path = self.log_dir.join(format!("serve-{run}.log"));
        let out_path = self.log_dir.join(format!("serve-{run}.out"));
        let create = |path: &Path| {
            std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))
        };
        let (log, out) = (create(&log_path)?, create(&out_path)?);
        let started = Instant::now();
        // Standard output goes to a file, not a pipe: no line can ever meet a closed pipe,
        // and the listening line is read from the file.
        let child = self
            .command(&["serve", "--listen", "127.0.0.1:0"])
            .stdout(out)
            .stderr(log)
            .spawn()
            .with_context(|| format!("cannot start {} serve", self.bin.display()))?;
        let pid = child.id().context("the server exited at once")?;
        let mut server = Server {
            child,
            pid,
            base: String::new(),
            log_path,
        };
        server.base = loop {
            let printed = std::fs::read_to_string(&out_path).unwrap_or_default();
            if let Some(url) = printed.lines().find_map(|l| l.strip_prefix(LISTENING)) {
                break url.trim().to_owned();
            }
            server.check_alive(started)?;
            tokio::time::sleep(Duration::from_millis(1)).await;
        };
        loop {
            let ready = client.get(format!("{}/readyz", server.base)).send().await;
            if matches!(&ready, Ok(r) if r.status() == reqwest::StatusCode::OK) {
                return Ok((server, started.elapsed()));
            }
            server.check_alive(started)?;
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
}

/// A running `frontline serve`, killed when dropped.
pub struct Server {
    child: Child,
    pid: u32,
    base: String,
    log_path: PathBuf,
}

/// Resident memory of the server in kB, as /proc reports it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Memory {
    /// VmRSS: resident now.
    pub rss_kb: u64,
    /// VmHWM: the peak resident size since start.
    pub peak_kb: u64,
}

impl Server {
    /// `http://127.0.0.1:PORT`.
    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn memory(&self) -> anyhow::Result<Memory> {
        let path = format!("/proc/{}/status", self.pid);
        let status =
            std::fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
        let field = |name: &str| -> anyhow::Result<u64> {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
                .with_context(|| format!("no {name} in {path}"))
        };
        Ok(Memory {
            rss_kb: field("VmRSS:")?,
            peak_kb: field("VmHWM:")?,
        })
    }

    /// Fails if the server has exited or has taken longer than [`START_LIMIT`] to start.
    fn check_alive(&mut self, started: Instant) -> anyhow::Result<()> {
        if let Some(status) = self.child.try_wait().context("cannot poll the server")? {
            bail!("the server exited ({status}): {}", self.log_tail());
        }
        if started.elapsed() > START_LIMIT {
            bail!("the server was not ready within {START_LIMIT:?}");
        }
        Ok(())
    }

    /// The last lines the server logged, for error messages.
    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log_path).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(10)..].join("\n")
    }

    /// Kills the server and waits until it has exited.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        self.child.kill().await.context("cannot stop the server")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        let _ = self.child.start_kill();
        // Reap it, so the database is free for whatever cleans it up next.
        for _ in 0..500 {
            if matches!(self.child.try_wait(), Ok(Some(_)) | Err(_)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}
