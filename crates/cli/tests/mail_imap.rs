//! IMAP polling against a real Dovecot (Debian's dovecot-imapd, which `scripts/test.sh`
//! installs when missing), started by the test on a free loopback port with a throwaway
//! configuration in a temporary folder: messages already in the folder (read or not) become
//! tickets and are flagged `\Seen` only after they are stored, a reply appended while the
//! desk waits (IDLE) lands as a comment, a second copy and a restart add nothing, and a bad
//! password shows in `frontline mailbox list`. On SQLite and PostgreSQL.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use async_imap::Session;
use futures_util::TryStreamExt;
use serde_json::Value;
use support::{Api, Backend, TestDesk, send};
use tokio::net::TcpStream;

on_both!(
    imap_mail_becomes_tickets_once,
    imap_errors_are_shown,
    imaps_checks_the_certificate
);

const USER: &str = "desk@desk.example";
const PASSWORD: &str = "s3cret@pass";

/// A Dovecot of the test's own, stopped (by its PID) and removed when dropped.
struct Dovecot {
    dir: tempfile::TempDir,
    port: u16,
    tls_port: u16,
}

impl Dovecot {
    fn start() -> Self {
        Self::start_with_tls(false)
    }

    /// With `tls`, Dovecot also answers IMAPS on `tls_port` with a certificate for
    /// `localhost` issued by a throwaway CA (`ca.pem` in its folder), made here with openssl.
    fn start_with_tls(tls: bool) -> Self {
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

    fn url(&self, password: &str) -> String {
        format!(
            "imap://desk%40desk.example:{}@127.0.0.1:{}/INBOX",
            password.replace('@', "%40"),
            self.port
        )
    }

    /// The IMAPS URL, by host name (the certificate is for `localhost`).
    fn tls_url(&self) -> String {
        format!(
            "imaps://desk%40desk.example:{}@localhost:{}/INBOX",
            PASSWORD.replace('@', "%40"),
            self.tls_port
        )
    }

    fn ca_file(&self) -> String {
        self.dir.path().join("ca.pem").display().to_string()
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default()
    }

    fn pid_file(&self) -> PathBuf {
        self.dir.path().join("run/master.pid")
    }

    /// A client session of the test's own, on the INBOX.
    async fn session(&self) -> Session<TcpStream> {
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

fn message(from: &str, subject: &str, id: &str, headers: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {USER}\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n\
         Date: Mon, 23 Nov 2026 09:00:00 +0000\r\n{headers}\r\n{body}\r\n"
    )
    .into_bytes()
}

async fn tickets(api: &Api, token: &str) -> Vec<Value> {
    api.all_items(token, "/api/v1/tickets", 100).await
}

/// Polls `check` until it holds, for at most `limit`.
async fn eventually<F, Fut>(limit: Duration, what: &str, check: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + limit;
    while !check().await {
        assert!(Instant::now() < deadline, "{what} within {limit:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The flags of every message in the INBOX, by UID.
async fn flags(session: &mut Session<TcpStream>) -> Vec<(u32, bool)> {
    let fetches: Vec<_> = session
        .uid_fetch("1:*", "(UID FLAGS)")
        .await
        .expect("fetch flags")
        .try_collect()
        .await
        .expect("flags");
    let mut out: Vec<(u32, bool)> = fetches
        .iter()
        .filter_map(|f| {
            let seen = f
                .flags()
                .any(|fl| matches!(fl, async_imap::types::Flag::Seen));
            Some((f.uid?, seen))
        })
        .collect();
    out.sort_unstable();
    out
}

async fn imap_mail_becomes_tickets_once(backend: Backend) {
    let dovecot = Dovecot::start();
    let mut imap = dovecot.session().await;
    imap.append(
        "INBOX",
        None,
        None,
        message(
            "ana@client.example",
            "VPN drops",
            "v1@client.example",
            "",
            "VPN gone.",
        ),
    )
    .await
    .expect("append");
    // Read by someone in a mail client already: still the desk's to ingest.
    imap.append(
        "INBOX",
        Some("(\\Seen)"),
        None,
        message(
            "bo@client.example",
            "Printer jam",
            "p1@client.example",
            "",
            "Jammed.",
        ),
    )
    .await
    .expect("append");
    assert_eq!(flags(&mut imap).await, vec![(1, false), (2, true)]);

    let desk = TestDesk::new(backend, "imap").await;
    desk.run_ok(&[
        "mailbox",
        "add",
        "--address",
        USER,
        "--imap",
        &dovecot.url(PASSWORD),
    ]);
    let token = desk.person("agent@desk.example", "Alex Agent", "agent");
    let mut server = desk.serve().await;
    let api = server.api();
    eventually(
        Duration::from_secs(30),
        "two tickets from the folder",
        || async { tickets(&api, &token).await.len() == 2 },
    )
    .await;
    let all = tickets(&api, &token).await;
    let vpn = all
        .iter()
        .find(|t| t["subject"] == "VPN drops")
        .expect("the VPN ticket");
    assert_eq!(vpn["channel"], "email");
    assert_eq!(vpn["requester"], "ana@client.example");
    let vpn_id = vpn["id"].as_i64().expect("an id");
    eventually(Duration::from_secs(10), "both flagged \\Seen", || async {
        flags(&mut dovecot.session().await).await == vec![(1, true), (2, true)]
    })
    .await;

    // Appended while the desk waits: IDLE wakes it long before its 20-minute poll.
    imap.append(
        "INBOX",
        None,
        None,
        message(
            "ana@client.example",
            "Re: VPN drops",
            "v2@client.example",
            "In-Reply-To: <v1@client.example>\r\n",
            "Still down.\r\n\r\n> VPN gone.",
        ),
    )
    .await
    .expect("append");
    let comments_path = format!("/api/v1/tickets/{vpn_id}/comments");
    eventually(
        Duration::from_secs(20),
        "the reply as a comment",
        || async {
            let page = send(api.get(&token, &comments_path)).await.expect(200).json;
            page["items"].as_array().is_some_and(|c| c.len() == 1)
        },
    )
    .await;
    let page = send(api.get(&token, &comments_path)).await.expect(200).json;
    assert_eq!(page["items"][0]["body"], "Still down.");

    // The same message again under a new UID, and a restart: nothing is ingested twice.
    imap.append(
        "INBOX",
        None,
        None,
        message(
            "ana@client.example",
            "VPN drops",
            "v1@client.example",
            "",
            "VPN gone.",
        ),
    )
    .await
    .expect("append");
    eventually(
        Duration::from_secs(20),
        "the copy flagged \\Seen",
        || async {
            flags(&mut dovecot.session().await)
                .await
                .iter()
                .all(|(_, seen)| *seen)
        },
    )
    .await;
    server.kill9();
    let server = desk.serve().await;
    let api = server.api();
    imap.append(
        "INBOX",
        None,
        None,
        message(
            "cy@client.example",
            "Laptop",
            "l1@client.example",
            "",
            "Battery.",
        ),
    )
    .await
    .expect("append");
    eventually(
        Duration::from_secs(30),
        "the new message after the restart",
        || async { tickets(&api, &token).await.len() == 3 },
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let all = tickets(&api, &token).await;
    assert_eq!(all.len(), 3, "no copy became a ticket: {all:?}");
    let page = send(api.get(&token, &comments_path)).await.expect(200).json;
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1));
    let listed = desk.run_ok(&["mailbox", "list"]);
    assert!(!listed.contains("last error"), "{listed}");
    assert!(!listed.contains(PASSWORD), "{listed}");
    let _ = imap.logout().await;
}

async fn imap_errors_are_shown(backend: Backend) {
    let dovecot = Dovecot::start();
    let desk = TestDesk::new(backend, "imapbad").await;
    desk.run_ok(&[
        "mailbox",
        "add",
        "--address",
        USER,
        "--imap",
        &dovecot.url("wrong"),
    ]);
    let _server = desk.serve().await;
    eventually(
        Duration::from_secs(30),
        "the login error in the list",
        || async {
            desk.run_ok(&["mailbox", "list"])
                .contains("refused the login")
        },
    )
    .await;
}

async fn imaps_checks_the_certificate(backend: Backend) {
    let dovecot = Dovecot::start_with_tls(true);
    let mut imap = dovecot.session().await;
    imap.append(
        "INBOX",
        None,
        None,
        message(
            "ana@client.example",
            "Over TLS",
            "t1@client.example",
            "",
            "Secret.",
        ),
    )
    .await
    .expect("append");
    let desk = TestDesk::new(backend, "imaps").await;
    desk.run_ok(&[
        "mailbox",
        "add",
        "--address",
        USER,
        "--imap",
        &dovecot.tls_url(),
    ]);
    let token = desk.person("agent@desk.example", "Alex Agent", "agent");

    // The server's certificate comes from a CA nobody trusts: no login, the error is shown.
    let mut untrusting = desk.serve().await;
    eventually(
        Duration::from_secs(30),
        "the TLS error in the list",
        || async { desk.run_ok(&["mailbox", "list"]).contains("TLS") },
    )
    .await;
    assert!(tickets(&untrusting.api(), &token).await.is_empty());
    untrusting.kill9();

    // Trusting that CA, the same mailbox is read over TLS.
    let server = desk
        .serve_env(&[], &[("FRONTLINE_MAIL_CA_FILE", &dovecot.ca_file())])
        .await;
    let api = server.api();
    eventually(
        Duration::from_secs(30),
        "the ticket read over IMAPS",
        || async { tickets(&api, &token).await.len() == 1 },
    )
    .await;
    eventually(Duration::from_secs(10), "the error cleared", || async {
        !desk.run_ok(&["mailbox", "list"]).contains("last error")
    })
    .await;
    let _ = imap.logout().await;
}
