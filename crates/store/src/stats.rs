//! Counts for metrics and the readiness of a desk.

use crate::conn::on;
use crate::{Conn, Result};

impl Conn<'_> {
    /// `(status, count)` over all tickets.
    pub async fn tickets_by_status(&mut self) -> Result<Vec<(String, i64)>> {
        Ok(on!(self, |c| sqlx::query_as(
            "SELECT status, COUNT(*) FROM tickets GROUP BY status ORDER BY status"
        )
        .fetch_all(c)
        .await?))
    }

    pub async fn count_tickets(&mut self) -> Result<i64> {
        Ok(on!(self, |c| sqlx::query_scalar(
            "SELECT COUNT(*) FROM tickets"
        )
        .fetch_one(c)
        .await?))
    }
}
