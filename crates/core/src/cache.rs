//! Per-node caches of configuration that every ticket change reads and that changes rarely
//! (SLA policies, custom field definitions, the priority matrix). A value is trusted for
//! [`TTL`]; a change made through this node drops it at once, so only a change made on
//! another node of a deployment takes up to [`TTL`] to be seen here.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

pub(crate) const TTL: Duration = Duration::from_secs(5);

pub(crate) struct Cached<T> {
    slot: RwLock<Option<(Instant, Arc<T>)>>,
}

impl<T> Default for Cached<T> {
    fn default() -> Self {
        Self {
            slot: RwLock::new(None),
        }
    }
}

impl<T> Cached<T> {
    /// The value, if it was read less than [`TTL`] ago.
    pub fn fresh(&self) -> Option<Arc<T>> {
        let guard = self.slot.read().ok()?;
        let (at, value) = guard.as_ref()?;
        (at.elapsed() < TTL).then(|| value.clone())
    }

    pub fn put(&self, value: T) -> Arc<T> {
        let value = Arc::new(value);
        if let Ok(mut guard) = self.slot.write() {
            *guard = Some((Instant::now(), value.clone()));
        }
        value
    }

    pub fn forget(&self) {
        if let Ok(mut guard) = self.slot.write() {
            *guard = None;
        }
    }
}
