//! A Dovecot of a test's own (Debian's dovecot-imapd, which `scripts/test.sh` installs when
//! missing) on a free loopback port, with a throwaway configuration in a temporary folder,
//! and optionally IMAPS with a certificate from a throwaway CA.
//!
//! One account, [`USER`], signs in with [`PASSWORD`] (PLAIN, LOGIN) or with an OAuth 2.0
//! bearer token (XOAUTH2, OAUTHBEARER): Dovecot checks tokens itself, as JWTs signed HS256
//! with a key of this Dovecot's own (`introspection_mode = local`), so no token server is
//! needed; [`Dovecot::token`] mints one.
//!
//! For SMTP tests: [`Options::auth_socket`] makes Dovecot's authentication service listen on
//! a Unix socket at a path the test chooses, so a Postfix can check SMTP AUTH against the same
//! account (`smtpd_sasl_type = dovecot`, `smtpd_sasl_path = <that path>`). Both PLAIN and
//! XOAUTH2 work through it. The socket is mode 0666; the folder it lies in must be reachable
//! (searchable) by Postfix's user, and when Postfix runs chrooted the path must be inside its
//! chroot (or set `smtpd` to `chroot = n` in master.cf).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use async_imap::Session;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD as BASE64, URL_SAFE_NO_PAD as B64URL};
use tokio::net::TcpStream;

pub const USER: &str = "desk@desk.example";
pub const PASSWORD: &str = "s3cret@pass";

/// A Dovecot of the test's own, stopped (by its PID) and removed when dropped.
pub struct Dovecot {
    dir: tempfile::TempDir,
    port: u16,
    tls_port: u16,
    /// The HS256 key Dovecot checks bearer tokens with.
    token_key: Vec<u8>,
}

/// What a test's Dovecot offers besides plain IMAP with a password.
#[derive(Debug, Default, Clone)]
pub struct Options {
    /// Also IMAPS on `tls_port`, with a certificate for `localhost` issued by a throwaway CA
    /// (`ca.pem` in its folder), made here with openssl.
    pub tls: bool,
    /// Dovecot's authentication service also listens here (`service auth { unix_listener }`),
    /// mode 0666, for a Postfix's `smtpd_sasl_path` (see the module's documentation). An
    /// absolute path; its folder must exist.
    pub auth_socket: Option<PathBuf>,
}

impl Dovecot {
    pub fn start() -> Self {
        Self::start_with(Options::default())
    }

    /// With `tls`, Dovecot also answers IMAPS (see [`Options::tls`]).
    pub fn start_with_tls(tls: bool) -> Self {
        Self::start_with(Options {
            tls,
            ..Options::default()
        })
    }

    pub fn start_with(options: Options) -> Self {
        let tls = options.tls;
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
        // Bearer tokens: JWTs checked against the key in a dictionary of files, looked up as
        // `shared/<azp or default>/<alg>/<kid or default>`, the key in base64.
        let token_key: Vec<u8> = (0..32).map(|_| rand::random::<u8>()).collect();
        let key_dir = root.join("keys/default/HS256");
        std::fs::create_dir_all(&key_dir).expect("key folder");
        std::fs::write(key_dir.join("default"), BASE64.encode(&token_key)).expect("key file");
        std::fs::write(
            root.join("oauth2.conf"),
            format!(
                "introspection_mode = local\nlocal_validation_key_dict = fs:posix:prefix={d}/keys/\n\
                 username_attribute = sub\n"
            ),
        )
        .expect("oauth2 config");
        let auth_socket = options
            .auth_socket
            .as_ref()
            .map(|path| {
                format!(
                    "service auth {{\n  unix_listener {} {{\n    mode = 0666\n  }}\n}}\n",
                    path.display()
                )
            })
            .unwrap_or_default();
        let config = format!(
            "base_dir = {d}/run\nstate_dir = {d}/state\nlog_path = {d}/log\n\
             protocols = imap\nlisten = 127.0.0.1\n{ssl}disable_plaintext_auth = no\n\
             auth_mechanisms = plain login xoauth2 oauthbearer\nfirst_valid_uid = 100\n{own_users}\
             passdb {{\n  driver = passwd-file\n  mechanisms = plain login\n  args = scheme=PLAIN username_format=%u {d}/users\n}}\n\
             passdb {{\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = {d}/oauth2.conf\n}}\n\
             userdb {{\n  driver = static\n  args = uid={me} gid={me} home={d}/mail/%u\n}}\n{auth_socket}\
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
            token_key,
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

    /// The plain IMAP URL without a password, for a mailbox that signs in with XOAUTH2.
    pub fn oauth_url(&self) -> String {
        format!("imap://desk%40desk.example@127.0.0.1:{}/INBOX", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A bearer token for `user` that this Dovecot accepts until `valid_for` from now: a JWT
    /// (`{"alg":"HS256","typ":"JWT"}`, `sub` the user) signed with its key.
    pub fn token(&self, user: &str, valid_for: Duration) -> String {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("a clock after 1970")
            .as_secs();
        let header = B64URL.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let claims = serde_json::json!({
            "sub": user,
            "iat": now,
            "exp": now + valid_for.as_secs(),
        });
        let body = B64URL.encode(claims.to_string());
        let signed = format!("{header}.{body}");
        let signature = B64URL.encode(hmac_sha256(&self.token_key, signed.as_bytes()));
        format!("{signed}.{signature}")
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

/// HMAC-SHA256 (RFC 2104), for signing test tokens.
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.map(|k| k ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
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
