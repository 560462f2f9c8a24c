//! A running `frontline serve` as a child process: its URL, its log, and the signals a
//! service manager or a crash would send it.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{Api, TestDesk};

/// A running `frontline serve`, killed (SIGKILL) and reaped when dropped.
pub struct Server {
    child: Child,
    pub url: String,
    /// From spawning the process to the first `/readyz` that answered 200.
    pub ready_in: Duration,
    stderr: Arc<Mutex<String>>,
    /// Lines printed on standard output so far.
    printed: Arc<Mutex<Vec<String>>>,
}

impl Server {
    pub(super) async fn start(desk: &TestDesk) -> Self {
        Self::start_with(desk, &[]).await
    }

    /// `serve --listen 127.0.0.1:0` with `extra` flags after it.
    pub(super) async fn start_with(desk: &TestDesk, extra: &[&str]) -> Self {
        Self::start_env(desk, extra, &[]).await
    }

    /// `start_with`, and the process gets the environment variables `env` too.
    pub(super) async fn start_env(desk: &TestDesk, extra: &[&str], env: &[(&str, &str)]) -> Self {
        let started = Instant::now();
        let mut args = vec!["serve", "--listen", "127.0.0.1:0"];
        args.extend_from_slice(extra);
        let mut child = desk
            .command(&args)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cannot start frontline serve");
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        let log = Arc::new(Mutex::new(String::new()));
        let (url_tx, url_rx) = mpsc::channel();
        let printed = Arc::new(Mutex::new(Vec::new()));
        let lines = printed.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Ok(mut l) = lines.lock() {
                    l.push(line.clone());
                }
                if let Some(url) = line.strip_prefix("Frontline is listening on ") {
                    let _ = url_tx.send(url.trim().to_owned());
                }
            }
        });
        let sink = log.clone();
        std::thread::spawn(move || {
            let mut stderr = stderr;
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                if let Ok(mut s) = sink.lock() {
                    s.push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            }
        });
        let mut server = Self {
            child,
            url: String::new(),
            ready_in: Duration::ZERO,
            stderr: log,
            printed,
        };
        match url_rx.recv_timeout(Duration::from_secs(30)) {
            Ok(url) => server.url = url,
            Err(_) => panic!(
                "frontline serve printed no URL within 30 s; stderr:\n{}",
                server.log()
            ),
        }
        let api = Api::new(&server.url);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(r) = api.http.get(api.url("/readyz")).send().await
                && r.status() == 200
            {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "/readyz did not answer 200 within 30 s; stderr:\n{}",
                server.log()
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        server.ready_in = started.elapsed();
        server
    }

    pub fn api(&self) -> Api {
        Api::new(&self.url)
    }

    /// `host:port` of the listener.
    pub fn addr(&self) -> &str {
        self.url.trim_start_matches("http://")
    }

    /// The rest of the first line printed on standard output that starts with `prefix`.
    pub fn printed(&self, prefix: &str) -> Option<String> {
        let lines = self.printed.lock().ok()?;
        lines
            .iter()
            .find_map(|l| l.strip_prefix(prefix).map(|rest| rest.trim().to_owned()))
    }

    /// An SMTP client (lettre) for the listener `--smtp-listen` opened.
    pub fn smtp(&self) -> lettre::AsyncSmtpTransport<lettre::Tokio1Executor> {
        let addr = self
            .printed("Frontline receives mail on smtp://")
            .expect("serve printed its SMTP address");
        let (host, port) = addr.rsplit_once(':').expect("host:port");
        lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::builder_dangerous(host)
            .port(port.parse().expect("a port"))
            .timeout(Some(Duration::from_secs(10)))
            .build()
    }

    /// What the server wrote on standard error so far.
    pub fn log(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// SIGKILL, as a crash or `kill -9` would, and reap the process.
    pub fn kill9(&mut self) {
        self.child.kill().expect("cannot kill the server");
        self.child.wait().expect("cannot reap the server");
    }

    /// SIGTERM, as a service manager stopping the desk would.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("cannot run kill");
        assert!(status.success(), "kill -TERM failed: {status}");
    }

    /// Whether the process is still running.
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Waits up to `limit` for the process to exit by itself.
    pub async fn exit_status(&mut self, limit: Duration) -> ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("cannot poll the server") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not exit within {limit:?}; stderr:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
