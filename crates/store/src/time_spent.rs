//! Time spent: one row an entry, read back per ticket and summed per agent over a period.

use frontline_domain::time_spent::{AgentTime, TimeEntry, TimeKind};
use frontline_domain::{CommentId, TicketId, Timestamp, UserId};

use crate::conn::on;
use crate::{Conn, Result, StoreError};

impl Conn<'_> {
    /// Records `minutes` of `kind` by `user_id` on a ticket, with the comment written then.
    pub async fn insert_time_entry(
        &mut self,
        ticket_id: TicketId,
        user_id: UserId,
        comment_id: Option<CommentId>,
        kind: TimeKind,
        minutes: u32,
        at: Timestamp,
    ) -> Result<()> {
        on!(self, |c| sqlx::query(
            "INSERT INTO time_entries (ticket_id, user_id, comment_id, kind, minutes, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(ticket_id.get())
        .bind(user_id.get())
        .bind(comment_id.map(CommentId::get))
        .bind(kind.as_str())
        .bind(i64::from(minutes))
        .bind(at.as_micros())
        .execute(c)
        .await?
        .rows_affected());
        Ok(())
    }

    /// A ticket's entries, oldest first, with their authors' names.
    pub async fn ticket_time(&mut self, ticket_id: TicketId) -> Result<Vec<TimeEntry>> {
        let rows: Vec<(i64, i64, String, String, i64, i64)> = on!(self, |c| sqlx::query_as(
            "SELECT e.ticket_id, e.user_id, u.name, e.kind, e.minutes, e.created_at \
             FROM time_entries e JOIN users u ON u.id = e.user_id \
             WHERE e.ticket_id = $1 ORDER BY e.id"
        )
        .bind(ticket_id.get())
        .fetch_all(c)
        .await?);
        rows.into_iter()
            .map(|(t, u, name, kind, minutes, at)| {
                Ok(TimeEntry {
                    ticket_id: TicketId::new(t),
                    user_id: UserId::new(u),
                    user_name: name,
                    kind: TimeKind::parse("kind", &kind)
                        .map_err(|e| StoreError::corrupt("time_entries.kind", e))?,
                    minutes: u32::try_from(minutes)
                        .map_err(|e| StoreError::corrupt("time_entries.minutes", e))?,
                    created_at: Timestamp::from_micros(at),
                })
            })
            .collect()
    }

    /// Each agent's minutes and tickets from `since` until before `until`, most time first.
    pub async fn time_by_agent(
        &mut self,
        since: Timestamp,
        until: Timestamp,
    ) -> Result<Vec<AgentTime>> {
        let rows: Vec<(i64, String, String, i64, i64)> = on!(self, |c| sqlx::query_as(
            "SELECT u.id, u.name, u.email, CAST(SUM(e.minutes) AS BIGINT), \
             COUNT(DISTINCT e.ticket_id) \
             FROM time_entries e JOIN users u ON u.id = e.user_id \
             WHERE e.created_at >= $1 AND e.created_at < $2 \
             GROUP BY u.id, u.name, u.email ORDER BY SUM(e.minutes) DESC, u.id"
        )
        .bind(since.as_micros())
        .bind(until.as_micros())
        .fetch_all(c)
        .await?);
        Ok(rows
            .into_iter()
            .map(|(id, name, email, minutes, tickets)| AgentTime {
                user_id: UserId::new(id),
                name,
                email,
                minutes,
                tickets,
            })
            .collect())
    }
}
