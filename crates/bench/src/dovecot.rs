//! A throwaway Dovecot for the inbound mail benchmark: Debian's dovecot-imapd started on a
//! free loopback port with a configuration of its own, one account whose INBOX is a Maildir
//! the benchmark writes into directly.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// A Dovecot of the benchmark's own on a free loopback port, stopped (by its PID) when
/// dropped; one account whose INBOX is a Maildir.
pub struct Dovecot {
    dir: PathBuf,
    port: u16,
}

/// The one account: its address (also its user name) and password.
pub const ACCOUNT: &str = "desk@bench.example";
pub const PASSWORD: &str = "bench-pass";

impl Dovecot {
    pub fn start(dir: &Path) -> anyhow::Result<Self> {
        let binary = ["/usr/sbin/dovecot", "/usr/local/sbin/dovecot"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .context("Dovecot is not installed (apt-get install dovecot-imapd)")?;
        std::fs::create_dir_all(dir.join("mail"))?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let root = is_root();
        let me = if root {
            "dovecot".to_owned()
        } else {
            std::env::var("USER").unwrap_or_else(|_| "nobody".into())
        };
        let own = if root {
            String::new()
        } else {
            format!("default_internal_user = {me}\ndefault_login_user = {me}\n")
        };
        let d = dir.display();
        std::fs::write(
            dir.join("users"),
            format!("{ACCOUNT}:{{PLAIN}}{PASSWORD}\n"),
        )?;
        std::fs::write(
            dir.join("dovecot.conf"),
            format!(
                "base_dir = {d}/run\nstate_dir = {d}/state\nlog_path = {d}/log\n\
                 protocols = imap\nlisten = 127.0.0.1\nssl = no\ndisable_plaintext_auth = no\n\
                 auth_mechanisms = plain login\nfirst_valid_uid = 100\n{own}\
                 passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {d}/users\n}}\n\
                 userdb {{\n  driver = static\n  args = uid={me} gid={me} home={d}/mail/%u\n}}\n\
                 mail_location = maildir:~/Maildir\n\
                 service imap-login {{\n  chroot =\n  inet_listener imap {{\n    address = 127.0.0.1\n    port = {port}\n  }}\n  inet_listener imaps {{\n    port = 0\n  }}\n}}\n\
                 service anvil {{\n  chroot =\n}}\n"
            ),
        )?;
        let dovecot = Self {
            dir: dir.to_owned(),
            port,
        };
        let status = std::process::Command::new(binary)
            .args(["-c", &format!("{d}/dovecot.conf")])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .context("cannot run dovecot")?;
        if !status.success() {
            bail!("dovecot did not start ({status}): see {d}/log");
        }
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > Duration::from_secs(20) {
                bail!("Dovecot did not listen within 20 s: see {d}/log");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(dovecot)
    }

    /// The account's INBOX as a mailbox URL for `frontline mailbox add`.
    pub fn url(&self) -> String {
        format!(
            "imap://{}:{PASSWORD}@127.0.0.1:{}/INBOX",
            ACCOUNT.replace('@', "%40"),
            self.port
        )
    }

    /// Writes every message into the account's Maildir as newly delivered mail.
    pub fn fill(&self, messages: impl Iterator<Item = Vec<u8>>) -> anyhow::Result<()> {
        let maildir = self.dir.join("mail").join(ACCOUNT).join("Maildir");
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir_all(maildir.join(sub))?;
        }
        for (i, message) in messages.enumerate() {
            let name = format!("1795424400.M{i}P{}.bench", std::process::id());
            std::fs::write(maildir.join("new").join(name), message)?;
        }
        if is_root() {
            let status = std::process::Command::new("chown")
                .args(["-R", "dovecot:dovecot"])
                .arg(self.dir.join("mail"))
                .status()?;
            if !status.success() {
                bail!("cannot hand the Maildir to the dovecot user");
            }
            std::process::Command::new("chmod")
                .args(["755"])
                .arg(&self.dir)
                .status()?;
        }
        Ok(())
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let pid_file = self.dir.join("run/master.pid");
        if let Ok(pid) = std::fs::read_to_string(&pid_file) {
            let _ = std::process::Command::new("kill")
                .args(["-TERM", pid.trim()])
                .status();
            let started = Instant::now();
            while pid_file.exists() && started.elapsed() < Duration::from_secs(10) {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}
