//! What every handler can reach: the desk and the metrics registry.

use std::sync::Arc;

use frontline_core::Desk;

use crate::Metrics;

#[derive(Clone)]
pub struct AppState {
    pub desk: Desk,
    pub metrics: Arc<Metrics>,
}

impl AppState {
    pub fn new(desk: Desk) -> Self {
        Self {
            desk,
            metrics: Arc::new(Metrics::new()),
        }
    }
}
