//! Who is looking at which ticket right now, as this node knows it: every open ticket page
//! keeps a live stream (`live`) that reports its viewer every poll, and a viewer not heard from
//! for `FRESH` is gone. Nodes do not share this, so behind a load balancer an agent sees the
//! colleagues served by the same node.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const FRESH: Duration = Duration::from_secs(10);

/// Viewer id → (name, last seen).
type OnTicket = HashMap<i64, (String, Instant)>;

#[derive(Default)]
pub(crate) struct Viewers {
    tickets: Mutex<HashMap<i64, OnTicket>>,
}

impl Viewers {
    /// Records that `user` is viewing `ticket` and returns the names of the others viewing
    /// it, sorted.
    pub fn see(&self, ticket: i64, user: i64, name: &str) -> Vec<String> {
        let now = Instant::now();
        let mut all = match self.tickets.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        all.retain(|_, viewers| {
            viewers.retain(|_, (_, seen)| now.duration_since(*seen) < FRESH);
            !viewers.is_empty()
        });
        let viewers = all.entry(ticket).or_default();
        viewers.insert(user, (name.to_owned(), now));
        let mut others: Vec<String> = viewers
            .iter()
            .filter(|(id, _)| **id != user)
            .map(|(_, (name, _))| name.clone())
            .collect();
        others.sort();
        others
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_viewer_sees_the_others_on_the_same_ticket() {
        let v = Viewers::default();
        assert!(v.see(1, 10, "Alex").is_empty());
        assert_eq!(v.see(1, 20, "Blair"), vec!["Alex"]);
        assert_eq!(v.see(1, 10, "Alex"), vec!["Blair"]);
        assert!(v.see(2, 30, "Casey").is_empty());
    }
}
