//! Time spent, read back: a ticket's entries and total, and each agent's total over a period
//! (what the reports will sum). Entries are written with their comments (`comment.rs`).

use frontline_domain::time_spent::{AgentTime, TimeEntry};
use frontline_domain::{TicketId, Timestamp};

use crate::{Actor, Comments, CoreError, Result};

/// The longest period one total covers: a year and a day.
const MAX_PERIOD_DAYS: i64 = 366;

impl Comments {
    /// The time spent on a ticket, oldest entry first; staff only.
    pub async fn ticket_time(&self, actor: &Actor, ticket_id: TicketId) -> Result<Vec<TimeEntry>> {
        actor.require_staff()?;
        let mut pc = self.core.store.read().await?;
        let mut c = pc.conn();
        c.ticket_row(ticket_id)
            .await?
            .ok_or(CoreError::NotFound("ticket"))?;
        Ok(c.ticket_time(ticket_id).await?)
    }

    /// Each agent's minutes and tickets from `since` until before `until` (at most a year and
    /// a day), most time first; staff only.
    pub async fn time_by_agent(
        &self,
        actor: &Actor,
        since: Timestamp,
        until: Timestamp,
    ) -> Result<Vec<AgentTime>> {
        actor.require_staff()?;
        let span = until.as_micros() - since.as_micros();
        if span <= 0 || span > MAX_PERIOD_DAYS * 86_400_000_000 {
            return Err(CoreError::invalid(
                "until",
                "must be after since, and at most 366 days later",
            ));
        }
        let mut pc = self.core.store.read().await?;
        Ok(pc.conn().time_by_agent(since, until).await?)
    }
}
