//! Rule webhooks over HTTPS, on SQLite and on PostgreSQL, against real TLS servers on
//! loopback: one whose certificate a private CA signed (the CA file an administrator gives,
//! `FRONTLINE_WEBHOOK_CA_FILE`; here through `trust_ca_file`, since tests share a process)
//! receives the call; one signed by a CA nobody trusts never does, and the job says why.

// Its own test binary, not a module of `tests/jobs`: the webhook client's trusted CA is set
// once per process, before the first webhook, which the other tests' webhooks would beat.
#[path = "jobs/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};

use frontline_core::CoreError;
use frontline_domain::Level;
use frontline_domain::rules::Rule;
use frontline_store::Store;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde_json::{Value, json};
use support::{MINUTE, Result, World};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

frontline_testkit::stories!(https_webhooks_trust_the_configured_ca_and_nothing_else);

fn internal(e: impl std::fmt::Display) -> CoreError {
    CoreError::Internal(e.to_string())
}

/// Certificates made once per test process with openssl: `trusted` (signed by the CA whose
/// file the webhook client trusts) and `stranger` (signed by another CA), both for
/// 127.0.0.1.
fn certificates() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("frontline-webhook-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a folder for the certificates");
        let d = dir.display().to_string();
        std::fs::write(
            dir.join("ext.cnf"),
            "subjectAltName = IP:127.0.0.1\nbasicConstraints = CA:FALSE\n",
        )
        .expect("extensions file");
        for name in ["trusted", "stranger"] {
            openssl(&[
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-days",
                "2",
                "-subj",
                &format!("/CN=Frontline test CA {name}"),
                "-keyout",
                &format!("{d}/{name}-ca.key"),
                "-out",
                &format!("{d}/{name}-ca.pem"),
            ]);
            openssl(&[
                "req",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-subj",
                "/CN=127.0.0.1",
                "-keyout",
                &format!("{d}/{name}.key"),
                "-out",
                &format!("{d}/{name}.csr"),
            ]);
            openssl(&[
                "x509",
                "-req",
                "-days",
                "2",
                "-in",
                &format!("{d}/{name}.csr"),
                "-CA",
                &format!("{d}/{name}-ca.pem"),
                "-CAkey",
                &format!("{d}/{name}-ca.key"),
                "-CAcreateserial",
                "-out",
                &format!("{d}/{name}.pem"),
                "-extfile",
                &format!("{d}/ext.cnf"),
            ]);
        }
        assert!(
            frontline_jobs::webhook::trust_ca_file(Some(&dir.join("trusted-ca.pem"))),
            "the CA file is set before any webhook"
        );
        dir
    })
}

fn openssl(args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("openssl (Debian's openssl package) runs");
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// An HTTPS server on loopback with the certificate `name` that answers every POST with 204
/// and keeps each JSON body.
async fn https_receiver(dir: &Path, name: &str) -> Result<(String, Arc<Mutex<Vec<Value>>>)> {
    let certs = CertificateDer::pem_file_iter(dir.join(format!("{name}.pem")))
        .and_then(|i| i.collect::<std::result::Result<Vec<_>, _>>())
        .map_err(internal)?;
    let key = PrivateKeyDer::from_pem_file(dir.join(format!("{name}.key"))).map_err(internal)?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(internal)?
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .map_err(internal)?;
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(internal)?;
    let addr = listener.local_addr().map_err(internal)?;
    let seen: Arc<Mutex<Vec<Value>>> = Arc::default();
    let kept = seen.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let kept = kept.clone();
            tokio::spawn(async move {
                // A refused handshake (the client does not trust us) simply ends here.
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut buf = Vec::new();
                let mut chunk = [0_u8; 4096];
                let body = loop {
                    let Ok(n) = tls.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                        continue;
                    };
                    let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
                    let length: usize = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(0);
                    if buf.len() >= end + 4 + length {
                        break buf[end + 4..end + 4 + length].to_vec();
                    }
                };
                if let Ok(v) = serde_json::from_slice(&body) {
                    kept.lock().expect("lock").push(v);
                }
                let _ = tls
                    .write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
                    .await;
                let _ = tls.shutdown().await;
            });
        }
    });
    Ok((format!("https://{addr}/hook"), seen))
}

fn rule(v: Value) -> Result<Rule> {
    serde_json::from_value(v).map_err(internal)
}

async fn https_webhooks_trust_the_configured_ca_and_nothing_else(store: &Store) -> Result {
    let dir = certificates();
    let w = World::new(store, None).await?;
    let (good, delivered) = https_receiver(dir, "trusted").await?;
    let (bad, stolen) = https_receiver(dir, "stranger").await?;
    for (name, url) in [("Chat", &good), ("Impostor", &bad)] {
        let hook = rule(json!({"name": name, "trigger": "created",
            "actions": [{"action": "webhook", "url": url}]}))?;
        w.desk.rules().add_rule(&w.manager, hook).await?;
    }
    let id = w.open(Level::High, Level::High, |t| t).await?;
    w.run_jobs().await?;
    let bodies = delivered.lock().expect("lock").clone();
    assert_eq!(bodies.len(), 1, "delivered once over TLS: {bodies:?}");
    assert_eq!(bodies[0]["rule"], "Chat");
    assert_eq!(bodies[0]["ticket"]["id"], id.get());
    // The server whose certificate nobody vouches for never sees the call, however often
    // the job is retried, and the job says why.
    w.at(w.desk.now().as_micros() + 60 * MINUTE);
    w.run_jobs().await?;
    assert!(stolen.lock().expect("lock").is_empty());
    let mut tx = store.begin().await?;
    let errors: Vec<Option<String>> = match tx.conn() {
        frontline_store::Conn::Postgres(c) => sqlx::query_scalar(
            "SELECT last_error FROM jobs WHERE kind = 'webhook' AND state <> 'done'",
        )
        .fetch_all(&mut *c)
        .await
        .map_err(internal)?,
        frontline_store::Conn::Sqlite(c) => sqlx::query_scalar(
            "SELECT last_error FROM jobs WHERE kind = 'webhook' AND state <> 'done'",
        )
        .fetch_all(&mut *c)
        .await
        .map_err(internal)?,
    };
    assert_eq!(errors.len(), 1, "{errors:?}");
    let error = errors[0].clone().unwrap_or_default();
    assert!(
        error.contains(&bad) && error.to_lowercase().contains("certificate"),
        "{error}"
    );
    Ok(())
}
