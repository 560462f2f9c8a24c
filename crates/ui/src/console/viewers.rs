//! Who is looking at which ticket right now: every open ticket page keeps a live stream
//! (`live`) that reports its viewer every poll, and a viewer not heard from for a few seconds
//! is gone. On PostgreSQL, where several nodes may serve one desk, the reports go to the
//! database (`Presence::viewing_ticket`, a heartbeat row per viewer), so an agent sees colleagues
//! on every node. A SQLite desk runs on one node, so this node's memory is enough there and
//! costs no write.

use frontline_domain::{TicketId, UserId};
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use frontline_core::presence::FRESH_SECS;
use frontline_core::{Actor, Presence, Result};

const FRESH: Duration = Duration::from_secs(FRESH_SECS.unsigned_abs());
/// How often a node sweeps stale heartbeat rows from the database.
const SWEEP_SECS: i64 = 60;

/// Viewer id → (name, last seen).
type OnTicket = HashMap<UserId, (String, Instant)>;

#[derive(Default)]
pub(crate) struct Viewers {
    tickets: Mutex<HashMap<TicketId, OnTicket>>,
    /// When this node last swept the database's stale rows (Unix seconds).
    swept: AtomicI64,
}

impl Viewers {
    /// Records that `actor` is viewing `ticket` and returns the names of the others viewing
    /// it, sorted.
    pub async fn see(
        &self,
        presence: &Presence,
        actor: &Actor,
        ticket: TicketId,
    ) -> Result<Vec<String>> {
        if !presence.shared() {
            return Ok(self.see_here(ticket, actor.id, &actor.name));
        }
        let now = presence.now().as_micros() / 1_000_000;
        let last = self.swept.load(Ordering::Relaxed);
        if now - last >= SWEEP_SECS
            && self
                .swept
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
            && let Err(e) = presence.forget_stale_viewers().await
        {
            tracing::warn!(error = %e, "cannot sweep stale ticket viewers");
        }
        presence.viewing_ticket(actor, ticket).await
    }

    /// The same, in this node's memory.
    fn see_here(&self, ticket: TicketId, user: UserId, name: &str) -> Vec<String> {
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
        assert!(
            v.see_here(TicketId::new(1), UserId::new(10), "Alex")
                .is_empty()
        );
        assert_eq!(
            v.see_here(TicketId::new(1), UserId::new(20), "Blair"),
            vec!["Alex"]
        );
        assert_eq!(
            v.see_here(TicketId::new(1), UserId::new(10), "Alex"),
            vec!["Blair"]
        );
        assert!(
            v.see_here(TicketId::new(2), UserId::new(30), "Casey")
                .is_empty()
        );
    }
}
