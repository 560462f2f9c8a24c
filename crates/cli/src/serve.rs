//! `frontline serve`: migrate, optionally fill a demo desk, listen, run background work,
//! and on SIGTERM or Ctrl-C finish the requests in flight before exiting.

use anyhow::Context;
use frontline_core::mail::listen;
use frontline_core::mail::outbound::PublicUrl;
use frontline_web::AppState;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::Config;

/// How long, after SIGTERM, open connections and background work may take to finish.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(20);

pub async fn run(
    config: &Config,
    demo: bool,
    smtp_listen: Option<std::net::SocketAddr>,
    trusted_proxies: &[String],
    public_url: Option<&str>,
) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let proxies = frontline_web::TrustedProxies::parse(trusted_proxies)
        .map_err(|e| anyhow::anyhow!("--trusted-proxy: {e}"))?;
    let desk = open(config, demo, public_url).await?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener
        .local_addr()
        .context("cannot read the listening address")?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let background = Background::start(&desk, smtp_listen, &stop_rx).await?;
    let app = frontline_web::router(AppState::new(desk.clone())).layer(axum::Extension(proxies));
    tracing::info!(%addr, database = ?config.database, public_url = desk.public_url().map(PublicUrl::as_str), ready_ms = started.elapsed().as_millis() as u64, "serving");
    println!("Frontline is listening on http://{addr}");
    serve_http(listener, app).await?;
    let _ = stop_tx.send(true);
    background.stop().await;
    desk.store().close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Opens the desk with its public URL (the flag's, else the configuration's), filled with a
/// demo desk when asked.
async fn open(
    config: &Config,
    demo: bool,
    public_url: Option<&str>,
) -> anyhow::Result<frontline_core::Desk> {
    let public_url = public_url
        .or(config.public_url.as_deref())
        .map(PublicUrl::parse)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--public-url: {}", e.message))?;
    let desk = crate::open_desk(config).await?.with_public_url(public_url);
    if demo {
        crate::demo::fill(&desk)
            .await
            .context("cannot fill the demo desk")?;
    }
    Ok(desk)
}

/// The work a node does beside answering HTTP: housekeeping, the job worker, and the mail
/// front doors (the SMTP listener when asked for, the IMAP pollers).
struct Background {
    housekeeping: JoinHandle<()>,
    jobs: JoinHandle<()>,
    imap: JoinHandle<()>,
    smtp: Option<JoinHandle<()>>,
}

impl Background {
    /// Starts it all; each part stops when `stop` turns true.
    async fn start(
        desk: &frontline_core::Desk,
        smtp_listen: Option<std::net::SocketAddr>,
        stop: &watch::Receiver<bool>,
    ) -> anyhow::Result<Self> {
        let housekeeping = frontline_jobs::spawn(desk.clone(), stop.clone());
        let jobs = frontline_jobs::spawn_worker(
            desk.clone(),
            frontline_jobs::registry(),
            frontline_jobs::WorkerConfig::default(),
            stop.clone(),
        );
        let smtp = match smtp_listen {
            Some(addr) => Some(start_smtp(desk, addr, stop).await?),
            None => None,
        };
        let imap = listen::imap::spawn(desk.mail(), stop.clone());
        Ok(Self {
            housekeeping,
            jobs,
            imap,
            smtp,
        })
    }

    /// Waits for it all to finish, within the grace period. Jobs in flight that do not
    /// finish have committed nothing, and run again (here or on another node) once their
    /// lease runs out.
    async fn stop(self) {
        let background = async {
            let _ = self.housekeeping.await;
            let _ = self.jobs.await;
            let _ = self.imap.await;
            if let Some(smtp) = self.smtp {
                let _ = smtp.await;
            }
        };
        if tokio::time::timeout(SHUTDOWN_GRACE, background)
            .await
            .is_err()
        {
            tracing::warn!("background work still running after {SHUTDOWN_GRACE:?}; leaving it");
        }
    }
}

/// Binds `addr` and receives mail there over SMTP.
async fn start_smtp(
    desk: &frontline_core::Desk,
    addr: std::net::SocketAddr,
    stop: &watch::Receiver<bool>,
) -> anyhow::Result<JoinHandle<()>> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen for SMTP on {addr}"))?;
    let bound = listener
        .local_addr()
        .context("cannot read the SMTP listening address")?;
    let task = listen::smtp::spawn(desk.mail(), listener, stop.clone());
    tracing::info!(addr = %bound, "receiving mail over SMTP");
    println!("Frontline receives mail on smtp://{bound}");
    Ok(task)
}

/// Serves HTTP until SIGTERM or Ctrl-C; open connections (a console's live updates) then get
/// a grace period, and are dropped after it.
async fn serve_http(listener: tokio::net::TcpListener, app: axum::Router) -> anyhow::Result<()> {
    let (signalled_tx, mut signalled) = watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = signalled_tx.send(true);
    });
    let mut graceful = signalled.clone();
    // The peer address reaches the pages, which throttle failed sign-ins per address.
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        let _ = graceful.wait_for(|s| *s).await;
    });
    tokio::select! {
        served = server => served.context("the HTTP server failed")?,
        _ = async {
            let _ = signalled.wait_for(|s| *s).await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } => tracing::warn!("connections still open after {SHUTDOWN_GRACE:?}; closing them"),
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
