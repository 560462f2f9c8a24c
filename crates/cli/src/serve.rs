//! `frontline serve`: migrate, optionally fill a demo desk, listen, run background work,
//! and on SIGTERM or Ctrl-C finish the requests in flight before exiting.

use anyhow::Context;
use frontline_web::AppState;
use tokio::sync::watch;

use crate::config::Config;

pub async fn run(
    config: &Config,
    demo: bool,
    smtp_listen: Option<std::net::SocketAddr>,
    trusted_proxies: &[String],
) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let proxies = frontline_web::TrustedProxies::parse(trusted_proxies)
        .map_err(|e| anyhow::anyhow!("--trusted-proxy: {e}"))?;
    let desk = crate::open_desk(config).await?;
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
    tracing::info!(%addr, database = ?config.database, ready_ms = started.elapsed().as_millis() as u64, "serving");
    println!("Frontline is listening on http://{addr}");
    // The peer address reaches the pages, which throttle failed sign-ins per address.
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("the HTTP server failed")?;
    let _ = stop_tx.send(true);
    let _ = worker.await;
    let _ = jobs.await;
    let _ = imap.await;
    if let Some(smtp) = smtp {
        let _ = smtp.await;
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
