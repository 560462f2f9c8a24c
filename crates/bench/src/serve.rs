//! A `frontline serve` child of the mail stages: started with its output in a scratch
//! folder, ready once it printed the line the stage waits for, killed when dropped; and the
//! administrative commands (`mailbox add`, `user add`, …) those stages run before it.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::process::{Child, Command};

pub struct Serve {
    child: Child,
    /// What followed `ready` on the line the server printed (an address or a URL).
    pub address: String,
}

impl Serve {
    /// `frontline serve --listen 127.0.0.1:0 EXTRA… DB_ARGS…`, waiting (up to 120 s) for a
    /// line of its output that starts with `ready`.
    pub fn start(
        bin: &Path,
        extra: &[&str],
        db_args: &[String],
        dir: &Path,
        ready: &str,
    ) -> anyhow::Result<Self> {
        let out_path = dir.join("serve.out");
        let log = std::fs::File::create(dir.join("serve.log")).context("cannot create the log")?;
        let out = std::fs::File::create(&out_path).context("cannot create the output file")?;
        let mut child = Command::new(bin)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(extra)
            .args(db_args)
            .env_remove("FRONTLINE_DATA_DIR")
            .env_remove("FRONTLINE_DATABASE_URL")
            .env_remove("FRONTLINE_CONFIG")
            .env_remove("FRONTLINE_LOG")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("cannot start {} serve", bin.display()))?;
        let started = Instant::now();
        let address = loop {
            let printed = std::fs::read_to_string(&out_path).unwrap_or_default();
            if let Some(rest) = printed.lines().find_map(|l| l.strip_prefix(ready)) {
                break rest.trim().to_owned();
            }
            if let Some(status) = child.try_wait().context("cannot poll the server")? {
                bail!("the server exited ({status}); see {}", dir.display());
            }
            if started.elapsed() > Duration::from_secs(120) {
                bail!("the server did not print {ready:?} within 120 s");
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        Ok(Self { child, address })
    }

    /// The server's peak resident memory (VmHWM), in kB.
    pub fn peak_rss_kb(&self) -> anyhow::Result<u64> {
        let pid = self.child.id().context("the server has exited")?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .context("cannot read the server's memory")?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .context("no VmHWM in /proc/PID/status")
    }
}

/// Runs an administrative command of `bin` on the stage's database to its end; its standard
/// output, trimmed.
pub fn command(bin: &Path, db_args: &[String], args: &[&str]) -> anyhow::Result<String> {
    let out = std::process::Command::new(bin)
        .args(args)
        .args(db_args)
        .env_remove("FRONTLINE_DATA_DIR")
        .env_remove("FRONTLINE_DATABASE_URL")
        .env_remove("FRONTLINE_CONFIG")
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run {}", bin.display()))?;
    if !out.status.success() {
        bail!(
            "`frontline {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}
