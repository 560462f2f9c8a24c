//! Operator endpoints: liveness, readiness and metrics. No authentication: they reveal
//! nothing but counts, and load balancers and Prometheus call them.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde_json::json;

use crate::state::AppState;

/// The process is up and answering.
pub async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// The database answers and every migration is applied: this node can take traffic.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<serde_json::Value>) {
    match state.desk.is_ready().await {
        Ok(true) => (StatusCode::OK, Json(json!({ "status": "ready" }))),
        Ok(false) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "migrations pending" })),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "database unreachable" })),
            )
        }
    }
}

/// Ticket counts are a full count over the tickets table, so a scrape recounts at most every
/// [`crate::metrics::TICKET_COUNT_TTL`]; scrapes in between reuse the last counts.
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    if state.metrics.ticket_counts_stale() {
        match state.desk.tickets().tickets_by_status().await {
            Ok(counts) => state.metrics.set_ticket_counts(&counts),
            Err(e) => tracing::warn!(error = %e, "ticket counts unavailable for metrics"),
        }
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
}
