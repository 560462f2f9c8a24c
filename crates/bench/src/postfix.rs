//! A throwaway Postfix for the outbound mail benchmark: Debian's package started with a
//! configuration of its own on a free loopback port, accepting all mail for `bench.example`
//! and discarding it.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// A throwaway Postfix that accepts all mail for `bench.example` and discards it, so what is
/// measured is the desk's side; stopped (`postfix -c DIR stop`) when dropped.
pub struct Postfix {
    conf: PathBuf,
    port: u16,
}

impl Postfix {
    /// Starts it in `dir` (which it fills with its configuration, queue and data) and waits
    /// until it listens.
    pub fn start(dir: &Path) -> anyhow::Result<Self> {
        if !Path::new("/usr/sbin/postfix").exists() {
            bail!("Postfix is not installed: apt-get install postfix (scripts/test.sh does)");
        }
        let conf = dir.join("conf");
        for sub in ["conf", "queue", "data"] {
            std::fs::create_dir_all(dir.join(sub))
                .with_context(|| format!("cannot create {}", dir.join(sub).display()))?;
        }
        let chown = std::process::Command::new("chown")
            .args(["postfix:postfix"])
            .arg(dir.join("data"))
            .status()
            .context("cannot run chown")?;
        if !chown.success() {
            bail!("cannot give Postfix its data folder (is this run as root?)");
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .context("no free port")?
            .port();
        write_config(dir, &conf, port)?;
        let out = std::process::Command::new("/usr/sbin/postfix")
            .arg("-c")
            .arg(&conf)
            .arg("start")
            .output()
            .context("cannot run postfix")?;
        if !out.status.success() {
            bail!(
                "postfix start failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > Duration::from_secs(20) {
                bail!(
                    "Postfix did not listen on {port} within 20 s; see {}/maillog",
                    dir.display()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(Self { conf, port })
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }
}

impl Drop for Postfix {
    fn drop(&mut self) {
        let _ = std::process::Command::new("/usr/sbin/postfix")
            .arg("-c")
            .arg(&self.conf)
            .arg("stop")
            .output();
    }
}

/// `main.cf` (relay everything for `bench.example` to the discard transport, no limits on
/// clients) and a `master.cf` with the SMTP server on `port` and the services it needs.
fn write_config(dir: &Path, conf: &Path, port: u16) -> anyhow::Result<()> {
    let d = dir.display();
    std::fs::write(
        conf.join("main.cf"),
        format!(
            "compatibility_level = 3.6\nqueue_directory = {d}/queue\n\
             data_directory = {d}/data\nmail_owner = postfix\n\
             myhostname = mail.bench.test\nmydestination =\n\
             inet_interfaces = loopback-only\ninet_protocols = ipv4\n\
             mynetworks = 127.0.0.0/8\nalias_maps =\nalias_database =\n\
             local_recipient_maps =\nrelay_domains = bench.example\n\
             relay_recipient_maps =\nrelay_transport = discard:\n\
             maillog_file = {d}/maillog\nmaillog_file_prefixes = {d}\n\
             smtputf8_enable = no\nbiff = no\n\
             smtpd_client_connection_count_limit = 0\n\
             smtpd_client_connection_rate_limit = 0\n\
             smtpd_client_message_rate_limit = 0\n"
        ),
    )
    .context("cannot write main.cf")?;
    let services = [
        "pickup unix n - n 60 1 pickup",
        "cleanup unix n - n - 0 cleanup",
        "qmgr unix n - n 300 1 qmgr",
        "rewrite unix - - n - - trivial-rewrite",
        "bounce unix - - n - 0 bounce",
        "defer unix - - n - 0 bounce",
        "trace unix - - n - 0 bounce",
        "verify unix - - n - 1 verify",
        "flush unix n - n 1000? 0 flush",
        "proxymap unix - - n - - proxymap",
        "smtp unix - - n - - smtp",
        "relay unix - - n - - smtp",
        "showq unix n - n - - showq",
        "error unix - - n - - error",
        "retry unix - - n - - error",
        "discard unix - - n - - discard",
        "anvil unix - - n - 1 anvil",
        "scache unix - - n - 1 scache",
        "postlog unix-dgram n - n - 1 postlogd",
    ];
    std::fs::write(
        conf.join("master.cf"),
        format!(
            "127.0.0.1:{port} inet n - n - - smtpd\n{}\n",
            services.join("\n")
        ),
    )
    .context("cannot write master.cf")?;
    Ok(())
}
