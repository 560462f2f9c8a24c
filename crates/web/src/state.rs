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

/// Every service of the desk, for handlers that take only the ones they use.
macro_rules! from_state {
    ($($(#[doc = $doc:literal])* $service:ident => $accessor:ident),* $(,)?) => {
        $(
            impl axum::extract::FromRef<AppState> for frontline_core::$service {
                fn from_ref(state: &AppState) -> Self {
                    state.desk.$accessor()
                }
            }
        )*
    };
}

frontline_core::with_services!(from_state);
