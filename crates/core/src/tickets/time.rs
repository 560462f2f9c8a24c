//! Time spent, read back: a ticket's entries and total, and each agent's total over a period
//! (what the reports will sum). Entries are written with their comments (`comment.rs`).

use frontline_domain::time_spent::{AgentTime, TimeEntry};
use frontline_domain::{TicketId, Timestamp};

use crate::{Actor, Comments, CoreError, Result};

/// The longest period one total covers: a year and a day.
const MAX_PERIOD_DAYS: i64 = 366;
/// The period a total covers unless one is asked for.
const DEFAULT_PERIOD_DAYS: i64 = 30;
const DAY: i64 = 86_400_000_000;

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
    /// a day; by default the 30 days up to now), most time first, with the period read;
    /// staff only.
    pub async fn time_by_agent(
        &self,
        actor: &Actor,
        since: Option<Timestamp>,
        until: Option<Timestamp>,
    ) -> Result<AgentTotals> {
        actor.require_staff()?;
        let until = until.unwrap_or_else(|| self.core.now());
        let since = since.unwrap_or_else(|| {
            Timestamp::from_micros(until.as_micros() - DEFAULT_PERIOD_DAYS * DAY)
        });
        let span = until.as_micros() - since.as_micros();
        if span <= 0 || span > MAX_PERIOD_DAYS * DAY {
            return Err(CoreError::invalid(
                "until",
                "must be after since, and at most 366 days later",
            ));
        }
        let mut pc = self.core.store.read().await?;
        let agents = pc.conn().time_by_agent(since, until).await?;
        Ok(AgentTotals {
            since,
            until,
            agents,
        })
    }
}

/// Each agent's time over a period.
#[derive(Debug)]
pub struct AgentTotals {
    pub since: Timestamp,
    pub until: Timestamp,
    pub agents: Vec<AgentTime>,
}
