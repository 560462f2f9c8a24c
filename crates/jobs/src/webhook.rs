//! Rule webhooks: POST the JSON a rule put in the job to its URL, over HTTP or HTTPS. An
//! answer other than 2xx, or none within the timeout, is a failure the queue retries with
//! doubling backoff; the receiver may see a call twice (a crash between its answer and the
//! job's completion), so the body carries the rule and ticket for it to recognise a repeat.
//!
//! HTTPS is rustls on ring, the provider the mail clients use (`mail/src/tls.rs`), so the
//! build has one crypto stack. The server's certificate must chain to the operating system's
//! trusted roots or to a certificate in the PEM file `FRONTLINE_WEBHOOK_CA_FILE` names (a
//! private CA on premises); the host name is always checked. Redirects are not followed.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use frontline_core::rules::WebhookCall;
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::queue::{HandlerFuture, JobContext, JobError};

const TIMEOUT: Duration = Duration::from_secs(10);
/// Most of an answer's body read (and then dropped): enough for any acknowledgement.
const MAX_ANSWER: usize = 64 * 1024;

type HttpsClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

static CA_FILE: OnceLock<Option<PathBuf>> = OnceLock::new();

/// Trusts the certificates in `path` (PEM) for webhooks, besides the system's roots, instead
/// of what `FRONTLINE_WEBHOOK_CA_FILE` says. Only the first call before the first webhook
/// counts; false when it came too late.
pub fn trust_ca_file(path: Option<&Path>) -> bool {
    CA_FILE.set(path.map(Path::to_path_buf)).is_ok()
}

/// The client, built once per process; an error (an unreadable CA file) is kept and named
/// by every webhook until the process is restarted with a good file.
fn client() -> Result<&'static HttpsClient, String> {
    static CLIENT: OnceLock<Result<HttpsClient, String>> = OnceLock::new();
    CLIENT.get_or_init(build).as_ref().map_err(Clone::clone)
}

fn build() -> Result<HttpsClient, String> {
    let mut roots = rustls::RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    for e in &native.errors {
        tracing::warn!(error = %e, "cannot read some of the system's trusted certificates");
    }
    roots.add_parsable_certificates(native.certs);
    let ca_file = CA_FILE
        .get_or_init(|| std::env::var_os("FRONTLINE_WEBHOOK_CA_FILE").map(PathBuf::from))
        .clone();
    if let Some(path) = ca_file {
        let certs = CertificateDer::pem_file_iter(&path)
            .and_then(|i| i.collect::<Result<Vec<_>, _>>())
            .map_err(|e| format!("cannot read the webhook CA file {}: {e}", path.display()))?;
        if certs.is_empty() {
            return Err(format!(
                "the webhook CA file {} holds no certificate",
                path.display()
            ));
        }
        for cert in certs {
            roots
                .add(cert)
                .map_err(|e| format!("the webhook CA file {}: {e}", path.display()))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .build();
    Ok(Client::builder(TokioExecutor::new()).build(connector))
}

pub(crate) fn call(ctx: &mut JobContext) -> HandlerFuture<'_> {
    Box::pin(async move {
        let call: WebhookCall = ctx.payload()?;
        let client = client().map_err(JobError::Retry)?;
        let body = serde_json::to_vec(&call.body)
            .map_err(|e| JobError::Permanent(format!("webhook body: {e}")))?;
        let request = http::Request::post(&call.url)
            .header(http::header::CONTENT_TYPE, "application/json")
            .header(http::header::USER_AGENT, "Frontline")
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| JobError::Permanent(format!("webhook {} is not a URL: {e}", call.url)))?;
        let failed = |e: &dyn std::fmt::Display| {
            // The source chain names the cause (a refused certificate, a refused connection).
            JobError::Retry(format!("webhook {} failed: {e}", call.url))
        };
        let answer = tokio::time::timeout(TIMEOUT, async {
            let answer = client.request(request).await.map_err(|e| {
                let mut text = e.to_string();
                let mut source = std::error::Error::source(&e);
                while let Some(s) = source {
                    text = format!("{text}: {s}");
                    source = s.source();
                }
                failed(&text)
            })?;
            let status = answer.status();
            // Read what the receiver said, so the connection can be reused, within bounds.
            let limited = http_body_util::Limited::new(answer.into_body(), MAX_ANSWER);
            let _ = limited.collect().await;
            Ok::<_, JobError>(status)
        })
        .await
        .map_err(|_| failed(&format!("no answer within {} s", TIMEOUT.as_secs())))??;
        if !answer.is_success() {
            return Err(JobError::Retry(format!(
                "webhook {} answered {answer}",
                call.url
            )));
        }
        tracing::info!(job_id = %ctx.job.id, url = %call.url, "webhook delivered");
        Ok(())
    })
}
