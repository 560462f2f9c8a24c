//! Prometheus metrics: requests by route and status, a latency histogram by route, and
//! tickets by status (read from the database at each scrape).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::state::AppState;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabels {
    status: String,
}

type LatencyFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// How long ticket counts are reused between scrapes.
pub const TICKET_COUNT_TTL: Duration = Duration::from_secs(15);

pub struct Metrics {
    registry: Registry,
    counted_at: Mutex<Option<Instant>>,
    requests: Family<RequestLabels, Counter>,
    latency: LatencyFamily,
    tickets: Family<StatusLabels, Gauge>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("frontline");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route and status",
            requests.clone(),
        );
        let latency: LatencyFamily = Family::new_with_constructor(|| {
            // 0.25 ms to about 4 s.
            Histogram::new(exponential_buckets(0.000_25, 2.0, 15))
        });
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by route",
            latency.clone(),
        );
        let tickets = Family::<StatusLabels, Gauge>::default();
        registry.register("tickets", "Tickets in the desk, by status", tickets.clone());
        Self {
            registry,
            counted_at: Mutex::new(None),
            requests,
            latency,
            tickets,
        }
    }

    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method.to_owned(),
                route: route.to_owned(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                method: method.to_owned(),
                route: route.to_owned(),
            })
            .observe(seconds);
    }

    pub fn ticket_counts_stale(&self) -> bool {
        let at = self.counted_at.lock().map(|g| *g).unwrap_or(None);
        at.is_none_or(|t| t.elapsed() >= TICKET_COUNT_TTL)
    }

    pub fn set_ticket_counts(&self, tickets_by_status: &[(String, i64)]) {
        self.tickets.clear();
        for (status, n) in tickets_by_status {
            self.tickets
                .get_or_create(&StatusLabels {
                    status: status.clone(),
                })
                .set(*n);
        }
        if let Ok(mut at) = self.counted_at.lock() {
            *at = Some(Instant::now());
        }
    }

    /// The exposition text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            tracing::error!(error = %e, "metrics could not be encoded");
        }
        out
    }
}

/// Middleware: counts and times every request under its route template (never the raw path,
/// which would make one series per ticket).
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let res = next.run(req).await;
    state.metrics.observe(
        &method,
        &route,
        res.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    res
}
