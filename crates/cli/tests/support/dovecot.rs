//! A Dovecot of a test's own (Debian's dovecot-imapd, which `scripts/test.sh` installs when
//! missing) on a free loopback port, with a throwaway configuration in a temporary folder,
//! and optionally IMAPS with a certificate from a throwaway CA.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use async_imap::Session;
use tokio::net::TcpStream;

pub const USER: &str = "desk@desk.example";
pub const PASSWORD: &str = "s3cret@pass";

/// A Dovecot of the test's own, stopped (by its PID) and removed when dropped.
pub struct Dovecot {
    dir: tempfile::TempDir,
    port: u16,
    tls_port: u16,
}

impl Dovecot {
    pub fn start() -> Self {
        Self::start_with_tls(false)
    }

    /// With `tls`, Dovecot also answers IMAPS on `tls_port` with a certificate for
    /// `localhost` issued by a throwaway CA (`ca.pem` in its folder), made here with openssl.
    pub fn start_with_tls(tls: bool) -> Self {
        let binary = ["/usr/sbin/dovecot", "/usr/local/sbin/dovecot"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .expect("Dovecot is not installed: run scripts/test.sh, which installs dovecot-imapd");
        let dir = tempfile::tempdir().expect("a temporary folder");
        let root = dir.path();
        let port = free_port();
        let tls_port = if tls { free_port() } else { 0 };
        let ssl = if tls {
            make_certificates(root);
            format!(
                "ssl = yes\nssl_cert = <{d}/cert.pem\nssl_key = <{d}/key.pem\n",
                d = root.display()
            )
        } else {
            "ssl = no\n".to_owned()
        };
        // Running as root, Dovecot hands mail to its own unprivileged user; otherwise every
        // process runs as the user who started the test.
        let root_user = rustix_uid() == 0;
        let me = if root_user {
            "dovecot".to_owned()
        } else {
            std::env::var("USER").unwrap_or_else(|_| "nobody".into())
        };
        let own_users = if root_user {
            String::new()
        } else {
            format!("default_internal_user = {me}\ndefault_login_user = {me}\n")
        };
        let d = root.display();
        std::fs::create_dir_all(root.join("mail")).expect("mail folder");
        std::fs::write(root.join("users"), format!("{USER}:{{PLAIN}}{PASSWORD}\n"))
            .expect("users file");
        let config = format!(
            "base_dir = {d}/run\nstate_dir = {d}/state\nlog_path = {d}/log\n\
             protocols = imap\nlisten = 127.0.0.1\n{ssl}disable_plaintext_auth = no\n\
             auth_mechanisms = plain login\nfirst_valid_uid = 100\n{own_users}\
             passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {d}/users\n}}\n\
             userdb {{\n  driver = static\n  args = uid={me} gid={me} home={d}/mail/%u\n}}\n\
             mail_location = maildir:~/Maildir\n\
             service imap-login {{\n  chroot =\n  inet_listener imap {{\n    address = 127.0.0.1\n    port = {port}\n  }}\n  inet_listener imaps {{\n    address = 127.0.0.1\n    port = {tls_port}\n  }}\n}}\n\
             service anvil {{\n  chroot =\n}}\n"
        );
        std::fs::write(root.join("dovecot.conf"), config).expect("config");
        if root_user {
            run(Command::new("chmod").args(["755", &d.to_string()]));
            run(Command::new("chown").args(["-R", "dovecot:dovecot", &format!("{d}/mail")]));
        }
        // Dovecot goes into the background; its log is the file above, so no pipe is left
        // open for `output()` to wait on.
        let status = Command::new(binary)
            .args(["-c", &format!("{d}/dovecot.conf")])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .expect("cannot run dovecot");
        assert!(status.success(), "dovecot did not start: {status}");
        let dovecot = Self {
            dir,
            port,
            tls_port,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "Dovecot did not listen within 20 s: {}",
                dovecot.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        dovecot
    }

    pub fn url(&self, password: &str) -> String {
        format!(
            "imap://desk%40desk.example:{}@127.0.0.1:{}/INBOX",
            password.replace('@', "%40"),
            self.port
        )
    }

    /// The IMAPS URL, by host name (the certificate is for `localhost`).
    pub fn tls_url(&self) -> String {
        format!(
            "imaps://desk%40desk.example:{}@localhost:{}/INBOX",
            PASSWORD.replace('@', "%40"),
            self.tls_port
        )
    }

    pub fn ca_file(&self) -> String {
        self.dir.path().join("ca.pem").display().to_string()
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default()
    }

    pub fn pid_file(&self) -> PathBuf {
        self.dir.path().join("run/master.pid")
    }

    /// A client session of the test's own, on the INBOX.
    pub async fn session(&self) -> Session<TcpStream> {
        let tcp = TcpStream::connect(("127.0.0.1", self.port))
            .await
            .expect("connect to Dovecot");
        let mut client = async_imap::Client::new(tcp);
        client
            .read_response()
            .await
            .expect("greeting")
            .expect("greeting");
        let mut session = client
            .login(USER, PASSWORD)
            .await
            .map_err(|(e, _)| e)
            .expect("login");
        session.select("INBOX").await.expect("select");
        session
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(self.pid_file()) {
            let pid = pid.trim().to_owned();
            let _ = Command::new("kill").args(["-TERM", &pid]).status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while self.pid_file().exists() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

/// A CA, and a certificate for `localhost` and 127.0.0.1 it issued, in `dir`.
fn make_certificates(dir: &Path) {
    let d = dir.display().to_string();
    std::fs::write(
        dir.join("ext.cnf"),
        "basicConstraints = CA:FALSE\nsubjectAltName = DNS:localhost, IP:127.0.0.1\n",
    )
    .expect("extensions file");
    run(Command::new("openssl").args([
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=Frontline test CA",
        "-keyout",
        &format!("{d}/ca.key"),
        "-out",
        &format!("{d}/ca.pem"),
    ]));
    run(Command::new("openssl").args([
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        &format!("{d}/key.pem"),
        "-out",
        &format!("{d}/cert.csr"),
    ]));
    run(Command::new("openssl").args([
        "x509",
        "-req",
        "-days",
        "2",
        "-in",
        &format!("{d}/cert.csr"),
        "-CA",
        &format!("{d}/ca.pem"),
        "-CAkey",
        &format!("{d}/ca.key"),
        "-CAcreateserial",
        "-out",
        &format!("{d}/cert.pem"),
        "-extfile",
        &format!("{d}/ext.cnf"),
    ]));
}

fn run(cmd: &mut Command) {
    let out = cmd.output().expect("cannot run a command");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn rustix_uid() -> u32 {
    let out = Command::new("id").arg("-u").output().expect("id -u");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(1000)
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    l.local_addr().expect("its address").port()
}
