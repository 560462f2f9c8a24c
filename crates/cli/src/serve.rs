//! `frontline serve`: migrate, optionally fill a demo desk, listen, run background work,
//! and on SIGTERM or Ctrl-C finish the requests in flight before exiting.

use anyhow::Context;
use frontline_core::mail::outbound::PublicUrl;
use frontline_web::AppState;
use tokio::sync::watch;

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
    let public_url = public_url
        .or(config.public_url.as_deref())
        .map(PublicUrl::parse)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--public-url: {}", e.message))?;
    let mut desk = crate::open_desk(config).await?;
    desk.public_url = public_url;
    if demo {
        crate::demo::fill(&desk)
            .await
            .context("cannot fill the demo desk")?;
    }
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener
        .local_addr()
        .context("cannot read the listening address")?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let worker = frontline_jobs::spawn(desk.clone(), stop_rx.clone());
    let jobs = frontline_jobs::spawn_worker(
        desk.clone(),
        crate::inbound::registry(),
        frontline_jobs::WorkerConfig::default(),
        stop_rx.clone(),
    );
    let smtp = match smtp_listen {
        Some(addr) => {
            let (bound, task) =
                crate::inbound::smtp::start(desk.clone(), addr, stop_rx.clone()).await?;
            tracing::info!(addr = %bound, "receiving mail over SMTP");
            println!("Frontline receives mail on smtp://{bound}");
            Some(task)
        }
        None => None,
    };
    let imap = crate::inbound::imap::spawn(desk.clone(), stop_rx.clone());
    let app = frontline_web::router(AppState::new(desk.clone())).layer(axum::Extension(proxies));
    tracing::info!(%addr, database = ?config.database, public_url = desk.public_url.as_ref().map(PublicUrl::as_str), ready_ms = started.elapsed().as_millis() as u64, "serving");
    println!("Frontline is listening on http://{addr}");
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
    // Open connections (a console's live updates) get a grace period, then are dropped.
    tokio::select! {
        served = server => served.context("the HTTP server failed")?,
        _ = async {
            let _ = signalled.wait_for(|s| *s).await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } => tracing::warn!("connections still open after {SHUTDOWN_GRACE:?}; closing them"),
    }
    let _ = stop_tx.send(true);
    // Jobs in flight finish within the grace period; one that does not has committed
    // nothing, and runs again (here or on another node) once its lease runs out.
    let background = async {
        let _ = worker.await;
        let _ = jobs.await;
        let _ = imap.await;
        if let Some(smtp) = smtp {
            let _ = smtp.await;
        }
    };
    if tokio::time::timeout(SHUTDOWN_GRACE, background)
        .await
        .is_err()
    {
        tracing::warn!("background work still running after {SHUTDOWN_GRACE:?}; leaving it");
    }
    desk.store().close().await;
    tracing::info!("stopped");
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
