//! Frontline's HTTP front end: the REST API under `/api/v1`, its OpenAPI document, and the
//! operator endpoints (`/healthz`, `/readyz`, `/metrics`).
//!
//! A request goes router → extractors (auth, JSON, query) → a handler of a few lines → one
//! `frontline_core` operation → a response type. Errors of every layer become RFC 9457
//! problem details in `problem`.

mod api;
mod extract;
mod metrics;
mod ops;
mod problem;
mod router;
mod state;

/// The reverse proxies whose `X-Forwarded-For` the pages believe (`serve --trusted-proxy`).
pub use frontline_ui::TrustedProxies;
pub use metrics::Metrics;
pub use router::{openapi, router};
pub use state::AppState;
