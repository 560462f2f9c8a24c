//! Threading: the Message-IDs Frontline has seen or sent, each tied to its ticket, so a
//! reply finds the ticket it answers.

use crate::conn::on;
use crate::{Conn, Result};
use frontline_domain::TicketId;

impl Conn<'_> {
    /// Remembers that `message_id` belongs to `ticket_id` (`in` or `out`); a known id keeps
    /// its first ticket.
    pub async fn remember_message_id(
        &mut self,
        message_id: &str,
        ticket_id: TicketId,
        direction: &str,
        now: i64,
    ) -> Result<()> {
        const SQL: &str = "INSERT INTO mail_threads (message_id, ticket_id, direction, \
            created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
        on!(self, |c| sqlx::query(SQL)
            .bind(message_id)
            .bind(ticket_id.get())
            .bind(direction)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// The ticket of the first of `message_ids` that Frontline knows, in the order given.
    pub async fn ticket_of_message_ids(
        &mut self,
        message_ids: &[String],
    ) -> Result<Option<TicketId>> {
        for id in message_ids {
            let found: Option<i64> = on!(self, |c| sqlx::query_scalar(
                "SELECT ticket_id FROM mail_threads WHERE message_id = $1"
            )
            .bind(id)
            .fetch_optional(c)
            .await?);
            if found.is_some() {
                return Ok(found.map(TicketId::new));
            }
        }
        Ok(None)
    }
}
