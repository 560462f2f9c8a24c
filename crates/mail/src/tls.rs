//! TLS for the mail clients (rustls with ring): the operating system's trusted roots, plus
//! the certificates in the PEM file `FRONTLINE_MAIL_CA_FILE` names (a private CA, or a test
//! server's own certificate). The host name is always checked.

use std::sync::{Arc, OnceLock};

use std::fmt::Debug;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::TlsConnector;

/// A byte stream a mail protocol can run over: plain TCP or TLS.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send + Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + Debug> Io for T {}

/// Why a TLS connection could not be made: the trusted roots, the name or the handshake.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TlsError(String);

/// The client configuration, built once per process.
fn config() -> Result<Arc<rustls::ClientConfig>, TlsError> {
    static CONFIG: OnceLock<Result<Arc<rustls::ClientConfig>, String>> = OnceLock::new();
    CONFIG.get_or_init(build).clone().map_err(TlsError)
}

fn build() -> Result<Arc<rustls::ClientConfig>, String> {
    let mut roots = rustls::RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    for e in &native.errors {
        tracing::warn!(error = %e, "cannot read some of the system's trusted certificates");
    }
    roots.add_parsable_certificates(native.certs);
    if let Some(path) = std::env::var_os("FRONTLINE_MAIL_CA_FILE") {
        let certs = CertificateDer::pem_file_iter(&path)
            .and_then(|i| i.collect::<Result<Vec<_>, _>>())
            .map_err(|e| format!("cannot read FRONTLINE_MAIL_CA_FILE {}: {e}", path.display()))?;
        for cert in certs {
            roots
                .add(cert)
                .map_err(|e| format!("FRONTLINE_MAIL_CA_FILE {}: {e}", path.display()))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Wraps `stream` in TLS to `host`, checking its certificate.
pub(crate) async fn connect<S: Io + 'static>(
    stream: S,
    host: &str,
) -> Result<Box<dyn Io>, TlsError> {
    let name = ServerName::try_from(host.to_owned())
        .map_err(|e| TlsError(format!("{host} is not a valid TLS name: {e}")))?;
    let tls = TlsConnector::from(config()?)
        .connect(name, stream)
        .await
        .map_err(|e| TlsError(format!("handshake with {host} failed: {e}")))?;
    Ok(Box::new(tls))
}
