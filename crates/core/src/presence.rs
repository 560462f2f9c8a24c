//! Who is viewing a ticket, shared through the database so that every node sees the viewers
//! of every other: each open ticket page renews its row on each poll of its live stream, and
//! a row not renewed within [`FRESH_SECS`] no longer counts. One upsert and one indexed read
//! per open page and poll; stale rows are swept by [`Presence::forget_stale_viewers`].

use crate::{Actor, Presence, Result};
use frontline_domain::TicketId;

/// A viewer not heard from for this long has left.
pub const FRESH_SECS: i64 = 10;

impl Presence {
    /// Whether the viewers are kept in the database for every node to see (PostgreSQL); on
    /// SQLite, one node serves the desk and can keep them in memory.
    pub fn shared(&self) -> bool {
        self.core.store.backend() == frontline_store::Backend::Postgres
    }

    /// The desk's clock.
    pub fn now(&self) -> frontline_domain::Timestamp {
        self.core.now()
    }

    /// Records that `actor` has `ticket` open now and returns the names of the others who do,
    /// sorted.
    pub async fn viewing_ticket(&self, actor: &Actor, ticket: TicketId) -> Result<Vec<String>> {
        actor.require_staff()?;
        let now = self.core.now().as_micros();
        let since = now - FRESH_SECS * 1_000_000;
        let viewers = if self.core.store.backend() == frontline_store::Backend::Postgres {
            // One statement, committed on its own: one round trip per heartbeat.
            let mut pc = self.core.store.read().await?;
            pc.conn()
                .see_ticket_with_others(ticket, actor.id, now, since)
                .await?
        } else {
            // A transaction, so SQLite's write goes through its one writer.
            let mut tx = self.core.begin().await?;
            let viewers = tx
                .conn()
                .see_ticket_with_others(ticket, actor.id, now, since)
                .await?;
            tx.commit().await?;
            viewers
        };
        Ok(viewers.into_iter().map(|(_, name)| name).collect())
    }

    /// Removes viewers gone for a minute or more; any node may run it at any time.
    pub async fn forget_stale_viewers(&self) -> Result<u64> {
        let before = self.core.now().as_micros() - 60 * 1_000_000;
        let mut tx = self.core.begin().await?;
        let gone = tx.conn().forget_viewers(before).await?;
        tx.commit().await?;
        Ok(gone)
    }
}
