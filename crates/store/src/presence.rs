//! Who has a ticket page open, shared by every node on one database: a page renews its row
//! while it is open, and rows not renewed lately are ignored and later swept away.

use crate::conn::on;
use crate::{Conn, Result};
use frontline_domain::{TicketId, UserId};

impl Conn<'_> {
    /// Records that `user_id` has `ticket_id` open at `now`.
    pub async fn see_ticket(
        &mut self,
        ticket_id: TicketId,
        user_id: UserId,
        now: i64,
    ) -> Result<()> {
        on!(self, |c| sqlx::query(
            "INSERT INTO ticket_viewers (ticket_id, user_id, seen_at) VALUES ($1, $2, $3) \
             ON CONFLICT (ticket_id, user_id) DO UPDATE SET seen_at = excluded.seen_at"
        )
        .bind(ticket_id.get())
        .bind(user_id.get())
        .bind(now)
        .execute(c)
        .await
        .map(drop)?);
        Ok(())
    }

    /// The ids and names of the people seen on the ticket at or after `since`, by name.
    pub async fn ticket_viewers(
        &mut self,
        ticket_id: TicketId,
        since: i64,
    ) -> Result<Vec<(UserId, String)>> {
        let rows: Vec<(i64, String)> = on!(self, |c| sqlx::query_as(
            "SELECT u.id, u.name FROM ticket_viewers v JOIN users u ON u.id = v.user_id \
             WHERE v.ticket_id = $1 AND v.seen_at >= $2 ORDER BY u.name, u.id"
        )
        .bind(ticket_id.get())
        .bind(since)
        .fetch_all(c)
        .await?);
        Ok(named(rows))
    }

    /// Records that `user_id` has `ticket_id` open at `now` and returns the ids and names of
    /// the others seen on it at or after `since`, by name. One statement on PostgreSQL (a
    /// data-modifying WITH), so a heartbeat costs one round trip; call it outside a
    /// transaction there. SQLite, which has no such WITH, runs the two steps.
    pub async fn see_ticket_with_others(
        &mut self,
        ticket_id: TicketId,
        user_id: UserId,
        now: i64,
        since: i64,
    ) -> Result<Vec<(UserId, String)>> {
        if !self.is_postgres() {
            self.see_ticket(ticket_id, user_id, now).await?;
            let all = self.ticket_viewers(ticket_id, since).await?;
            return Ok(all.into_iter().filter(|(id, _)| *id != user_id).collect());
        }
        let rows: Vec<(i64, String)> = on!(self, |c| sqlx::query_as(
            "WITH seen AS (INSERT INTO ticket_viewers (ticket_id, user_id, seen_at) \
             VALUES ($1, $2, $3) ON CONFLICT (ticket_id, user_id) \
             DO UPDATE SET seen_at = excluded.seen_at RETURNING user_id) \
             SELECT u.id, u.name FROM ticket_viewers v JOIN users u ON u.id = v.user_id \
             WHERE v.ticket_id = $1 AND v.seen_at >= $4 AND v.user_id <> $2 \
             AND EXISTS (SELECT 1 FROM seen) ORDER BY u.name, u.id"
        )
        .bind(ticket_id.get())
        .bind(user_id.get())
        .bind(now)
        .bind(since)
        .fetch_all(c)
        .await?);
        Ok(named(rows))
    }

    /// Removes rows not renewed since `before`; how many went.
    pub async fn forget_viewers(&mut self, before: i64) -> Result<u64> {
        Ok(on!(self, |c| sqlx::query(
            "DELETE FROM ticket_viewers WHERE seen_at < $1"
        )
        .bind(before)
        .execute(c)
        .await?
        .rows_affected()))
    }
}

/// `(user id, name)` rows as the people they are.
fn named(rows: Vec<(i64, String)>) -> Vec<(UserId, String)> {
    rows.into_iter()
        .map(|(id, name)| (UserId::new(id), name))
        .collect()
}
