//! A Postfix of a test's own (Debian's postfix, which `scripts/test.sh` installs when
//! missing): its own configuration and queue in a temporary folder, SMTP on a free loopback
//! port, and local delivery of the domain [`DOMAIN`] into Maildirs the test reads. Started
//! with `postfix -c DIR start`, stopped with `postfix -c DIR stop` when dropped; the
//! package's own service is never used.
//!
//! Only the addresses given to [`Postfix::start`] exist: mail to any other address of
//! [`DOMAIN`] is refused at RCPT with a 550 (a permanent failure for the sender). With
//! [`Options::sasl_socket`] a second port requires SMTP AUTH, checked by a Dovecot's auth
//! service over that socket (see `support::dovecot`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The domain this Postfix delivers locally.
pub const DOMAIN: &str = "example.org";

#[derive(Debug, Default, Clone)]
pub struct Options {
    /// A Dovecot auth socket: a second port then accepts mail only after SMTP AUTH.
    pub sasl_socket: Option<PathBuf>,
    /// STARTTLS on the main port and TLS from the first byte (SMTPS) on a port of its own,
    /// with a certificate for `localhost` from a throwaway CA (`ca.pem` in its folder,
    /// made here with openssl).
    pub tls: bool,
}

/// A running Postfix, stopped and removed when dropped.
pub struct Postfix {
    dir: tempfile::TempDir,
    port: u16,
    auth_port: Option<u16>,
    tls_port: Option<u16>,
}

impl Postfix {
    /// A Postfix delivering mail for each of `users` (local parts of [`DOMAIN`]).
    pub fn start(users: &[&str]) -> Self {
        Self::start_with(users, Options::default())
    }

    pub fn start_with(users: &[&str], options: Options) -> Self {
        assert!(
            Path::new("/usr/sbin/postfix").exists(),
            "Postfix is not installed: run scripts/test.sh, which installs Debian's postfix"
        );
        let dir = tempfile::tempdir().expect("a temporary folder");
        let root = dir.path();
        // Postfix's daemons run as its own user: they must reach the queue and the mail.
        chmod(root, 0o755);
        for sub in ["conf", "queue", "data", "mail"] {
            std::fs::create_dir_all(root.join(sub)).expect("a Postfix folder");
        }
        chown_postfix(&root.join("data"));
        chown_postfix(&root.join("mail"));
        let port = free_port();
        let auth_port = options.sasl_socket.as_ref().map(|_| free_port());
        let tls_port = options.tls.then(free_port);
        let tls = if options.tls {
            make_certificates(root);
            format!(
                "smtpd_tls_cert_file = {d}/cert.pem\nsmtpd_tls_key_file = {d}/key.pem\n\
                 smtpd_tls_security_level = may\nsmtpd_tls_loglevel = 1\n",
                d = root.display()
            )
        } else {
            String::new()
        };
        let (uid, gid) = postfix_ids();
        let d = root.display();
        std::fs::write(
            root.join("conf/main.cf"),
            format!(
                "compatibility_level = 3.6\n\
                 queue_directory = {d}/queue\n\
                 data_directory = {d}/data\n\
                 mail_owner = postfix\n\
                 myhostname = mail.frontline.test\n\
                 mydomain = frontline.test\n\
                 mydestination =\n\
                 inet_interfaces = loopback-only\n\
                 inet_protocols = ipv4\n\
                 mynetworks = 127.0.0.0/8\n\
                 alias_maps =\n\
                 alias_database =\n\
                 local_recipient_maps =\n\
                 relay_domains =\n\
                 virtual_mailbox_domains = {DOMAIN}\n\
                 virtual_mailbox_base = {d}/mail\n\
                 virtual_mailbox_maps = texthash:{d}/conf/mailboxes\n\
                 virtual_uid_maps = static:{uid}\n\
                 virtual_gid_maps = static:{gid}\n\
                 virtual_minimum_uid = 1\n\
                 maillog_file = {d}/maillog\n\
                 maillog_file_prefixes = {d}\n\
                 smtputf8_enable = no\n\
                 biff = no\n\
                 smtpd_banner = $myhostname ESMTP\n{tls}"
            ),
        )
        .expect("main.cf");
        let mailboxes: String = users
            .iter()
            .map(|u| format!("{u}@{DOMAIN} {DOMAIN}/{u}/\n"))
            .collect();
        std::fs::write(root.join("conf/mailboxes"), mailboxes).expect("the mailbox map");
        let auth_service = match (&options.sasl_socket, auth_port) {
            (Some(socket), Some(p)) => format!(
                "127.0.0.1:{p} inet n - n - - smtpd\n  -o smtpd_sasl_auth_enable=yes\n  \
                 -o smtpd_sasl_type=dovecot\n  -o smtpd_sasl_path={}\n  \
                 -o smtpd_tls_auth_only=no\n  \
                 -o smtpd_relay_restrictions=permit_sasl_authenticated,reject\n  \
                 -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject\n",
                socket.display()
            ),
            _ => String::new(),
        };
        let tls_service = match tls_port {
            Some(p) => {
                format!("127.0.0.1:{p} inet n - n - - smtpd\n  -o smtpd_tls_wrappermode=yes\n")
            }
            None => String::new(),
        };
        // Every service unchrooted: the test's folders are outside any chroot.
        std::fs::write(
            root.join("conf/master.cf"),
            format!(
                "127.0.0.1:{port} inet n - n - - smtpd\n{auth_service}{tls_service}\
                 pickup unix n - n 60 1 pickup\n\
                 cleanup unix n - n - 0 cleanup\n\
                 qmgr unix n - n 300 1 qmgr\n\
                 tlsmgr unix - - n 1000? 1 tlsmgr\n\
                 rewrite unix - - n - - trivial-rewrite\n\
                 bounce unix - - n - 0 bounce\n\
                 defer unix - - n - 0 bounce\n\
                 trace unix - - n - 0 bounce\n\
                 verify unix - - n - 1 verify\n\
                 flush unix n - n 1000? 0 flush\n\
                 proxymap unix - - n - - proxymap\n\
                 proxywrite unix - - n - 1 proxymap\n\
                 smtp unix - - n - - smtp\n\
                 relay unix - - n - - smtp\n\
                 showq unix n - n - - showq\n\
                 error unix - - n - - error\n\
                 retry unix - - n - - error\n\
                 discard unix - - n - - discard\n\
                 local unix - n n - - local\n\
                 virtual unix - n n - - virtual\n\
                 lmtp unix - - n - - lmtp\n\
                 anvil unix - - n - 1 anvil\n\
                 scache unix - - n - 1 scache\n\
                 postlog unix-dgram n - n - 1 postlogd\n"
            ),
        )
        .expect("master.cf");
        let postfix = Self {
            dir,
            port,
            auth_port,
            tls_port,
        };
        postfix.up();
        postfix
    }

    fn conf(&self) -> PathBuf {
        self.dir.path().join("conf")
    }

    /// `postfix start`, waited for until the SMTP port answers.
    pub fn up(&self) {
        let out = Command::new("/usr/sbin/postfix")
            .arg("-c")
            .arg(self.conf())
            .arg("start")
            .output()
            .expect("cannot run postfix");
        assert!(
            out.status.success(),
            "postfix start failed ({}): {}{}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            self.log()
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "Postfix did not listen on {} within 20 s:\n{}",
                self.port,
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `postfix stop`, waited for until the SMTP port is closed: mail to it now fails the
    /// way a server that is down does.
    pub fn down(&self) {
        let _ = Command::new("/usr/sbin/postfix")
            .arg("-c")
            .arg(self.conf())
            .arg("stop")
            .output();
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
            assert!(
                Instant::now() < deadline,
                "Postfix still listens after stop"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port that requires SMTP AUTH (with [`Options::sasl_socket`]).
    pub fn auth_port(&self) -> u16 {
        self.auth_port.expect("started with a SASL socket")
    }

    /// `smtp+starttls://localhost:PORT` (the certificate is for `localhost`).
    pub fn starttls_url(&self) -> String {
        format!("smtp+starttls://localhost:{}", self.port)
    }

    /// `smtps://localhost:PORT`, TLS from the first byte.
    pub fn tls_url(&self) -> String {
        format!(
            "smtps://localhost:{}",
            self.tls_port.expect("started with tls")
        )
    }

    /// The throwaway CA's certificate, for `FRONTLINE_MAIL_CA_FILE`.
    pub fn ca_file(&self) -> String {
        self.dir.path().join("ca.pem").display().to_string()
    }

    /// `smtp://127.0.0.1:PORT`, for `frontline mailbox add --smtp`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Postfix's log, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("maillog")).unwrap_or_default()
    }

    /// The messages delivered to `user@DOMAIN` so far, oldest first, as raw bytes.
    pub fn messages(&self, user: &str) -> Vec<Vec<u8>> {
        let mut files: Vec<(std::time::SystemTime, PathBuf)> = Vec::new();
        for sub in ["new", "cur"] {
            let folder = self
                .dir
                .path()
                .join("mail")
                .join(DOMAIN)
                .join(user)
                .join(sub);
            let Ok(entries) = std::fs::read_dir(&folder) else {
                continue;
            };
            for e in entries.flatten() {
                let modified = e
                    .metadata()
                    .and_then(|m| m.modified())
                    .unwrap_or(std::time::UNIX_EPOCH);
                files.push((modified, e.path()));
            }
        }
        files.sort();
        files
            .into_iter()
            .filter_map(|(_, p)| std::fs::read(p).ok())
            .collect()
    }

    /// Waits until `user` has at least `count` messages; returns them all.
    pub async fn wait_for(&self, user: &str, count: usize, limit: Duration) -> Vec<Vec<u8>> {
        let deadline = Instant::now() + limit;
        loop {
            let found = self.messages(user);
            if found.len() >= count {
                return found;
            }
            assert!(
                Instant::now() < deadline,
                "{user}@{DOMAIN} got {} of {count} messages within {limit:?}; Postfix's log:\n{}",
                found.len(),
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Waits, for at most `limit`, until a `mail.send` job has failed an attempt (the server
/// was down) and waits for another: the message is stored, and not yet sent.
pub async fn until_a_send_failed(api: &super::Api, admin: &str, limit: Duration) {
    let deadline = Instant::now() + limit;
    loop {
        let page = super::send(api.get(admin, "/api/v1/jobs?state=queued&limit=100"))
            .await
            .expect(200)
            .json;
        let jobs = page["items"].as_array().cloned().unwrap_or_default();
        let waiting = jobs.iter().any(|j| {
            j["kind"] == "mail.send"
                && j["attempts"].as_i64().unwrap_or(0) >= 1
                && j["last_error"]
                    .as_str()
                    .is_some_and(|e| e.contains("cannot send"))
        });
        if waiting {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "no failed attempt seen within {limit:?}: {jobs:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

impl Drop for Postfix {
    fn drop(&mut self) {
        let _ = Command::new("/usr/sbin/postfix")
            .arg("-c")
            .arg(self.conf())
            .arg("stop")
            .output();
    }
}

/// A CA and a certificate for `localhost` it signed (rustls refuses a CA as a server's own).
fn make_certificates(dir: &Path) {
    let d = dir.display().to_string();
    std::fs::write(
        dir.join("ext.cnf"),
        "basicConstraints = CA:FALSE\nsubjectAltName = DNS:localhost, IP:127.0.0.1\n",
    )
    .expect("extensions file");
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .output()
            .expect("cannot run openssl");
        assert!(
            out.status.success(),
            "openssl {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let (ca_key, ca, key, csr, cert, ext) = (
        format!("{d}/ca.key"),
        format!("{d}/ca.pem"),
        format!("{d}/key.pem"),
        format!("{d}/cert.csr"),
        format!("{d}/cert.pem"),
        format!("{d}/ext.cnf"),
    );
    openssl(&[
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
        &ca_key,
        "-out",
        &ca,
    ]);
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        &key,
        "-out",
        &csr,
    ]);
    openssl(&[
        "x509",
        "-req",
        "-days",
        "2",
        "-in",
        &csr,
        "-CA",
        &ca,
        "-CAkey",
        &ca_key,
        "-CAcreateserial",
        "-extfile",
        &ext,
        "-out",
        &cert,
    ]);
    // Postfix's daemons read the key as root at start; the mail system's user reads it too.
    chmod(&dir.join("key.pem"), 0o644);
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    l.local_addr().expect("its address").port()
}

fn postfix_ids() -> (String, String) {
    let id = |flag: &str| {
        let out = Command::new("id")
            .args([flag, "postfix"])
            .output()
            .expect("cannot run id");
        assert!(out.status.success(), "Postfix's user is missing");
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    (id("-u"), id("-g"))
}

fn chown_postfix(path: &Path) {
    let status = Command::new("chown")
        .args(["-R", "postfix:postfix"])
        .arg(path)
        .status()
        .expect("cannot run chown");
    assert!(status.success(), "chown postfix {}", path.display());
}

fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}
