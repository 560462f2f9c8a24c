//! Changing the SLA configuration after it was written: renaming and redefining a calendar,
//! removing one nobody uses, redefining a policy and moving policies in the order they are
//! tried. Adding and reading them is in `sla`.

use frontline_domain::calendar::CalendarUses;
use frontline_domain::sla::Policy;
use frontline_domain::{Calendar, CalendarId, SlaPolicyId};

use super::definition;
use crate::conn::on;
use crate::{Conn, Result};

impl Conn<'_> {
    /// Renames and redefines a calendar; false when there is none with that id.
    pub async fn update_calendar(
        &mut self,
        id: CalendarId,
        name: &str,
        calendar: &Calendar,
    ) -> Result<bool> {
        let definition = definition(calendar)?;
        let done = on!(self, |c| sqlx::query(
            "UPDATE calendars SET name = $2, definition = $3 WHERE id = $1"
        )
        .bind(id.get())
        .bind(name)
        .bind(&definition)
        .execute(c)
        .await?
        .rows_affected());
        Ok(done == 1)
    }

    pub async fn calendar_uses(&mut self, id: CalendarId) -> Result<CalendarUses> {
        let policies: i64 = on!(self, |c| sqlx::query_scalar(
            "SELECT COUNT(*) FROM sla_policies WHERE calendar_id = $1"
        )
        .bind(id.get())
        .fetch_one(c)
        .await?);
        let agents: i64 = on!(self, |c| sqlx::query_scalar(
            "SELECT COUNT(*) FROM agent_availability WHERE calendar_id = $1"
        )
        .bind(id.get())
        .fetch_one(c)
        .await?);
        Ok(CalendarUses { policies, agents })
    }

    /// Removes a calendar; the caller checks first that nothing uses it.
    pub async fn delete_calendar(&mut self, id: CalendarId) -> Result<bool> {
        let done = on!(self, |c| sqlx::query("DELETE FROM calendars WHERE id = $1")
            .bind(id.get())
            .execute(c)
            .await?
            .rows_affected());
        Ok(done == 1)
    }

    /// Redefines a policy, keeping its place; false when there is none with that id.
    pub async fn update_sla_policy(
        &mut self,
        id: SlaPolicyId,
        policy: &Policy,
        calendar_id: CalendarId,
    ) -> Result<bool> {
        let definition = definition(policy)?;
        let done = on!(self, |c| sqlx::query(
            "UPDATE sla_policies SET name = $2, calendar_id = $3, definition = $4 WHERE id = $1"
        )
        .bind(id.get())
        .bind(policy.name.trim())
        .bind(calendar_id.get())
        .bind(&definition)
        .execute(c)
        .await?
        .rows_affected());
        Ok(done == 1)
    }

    pub async fn set_sla_policy_position(&mut self, id: SlaPolicyId, position: i64) -> Result<()> {
        on!(self, |c| sqlx::query(
            "UPDATE sla_policies SET position = $2 WHERE id = $1"
        )
        .bind(id.get())
        .bind(position)
        .execute(c)
        .await
        .map(drop)?);
        Ok(())
    }
}
