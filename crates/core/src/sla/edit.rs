//! Changing calendars and policies once they exist (the console's admin pages call these;
//! adding and listing them is in the parent module): a calendar is redefined or renamed in
//! place and removed only when nothing counts in it; a policy is redefined keeping its place,
//! and the order policies are tried in is set as a whole. Each drops the node's policy cache,
//! so tickets pick the change up at their next change or timer.

use frontline_domain::sla::Policy;
use frontline_domain::{Calendar, CalendarId, SlaPolicyId};

use super::{ConfiguredPolicy, checked, duplicate, find_calendar, required_name};
use crate::ordered::new_positions;
use crate::{Actor, CoreError, Result, Sla};

impl Sla {
    /// Redefines the calendar named `name`, renaming it to `new_name`.
    pub async fn replace_calendar(
        &self,
        actor: &Actor,
        name: &str,
        new_name: &str,
        calendar: &Calendar,
    ) -> Result<()> {
        actor.require_configure()?;
        let new_name = required_name(new_name)?;
        let mut tx = self.core.begin().await?;
        let mut c = tx.conn();
        let id = calendar_id(&mut c, name).await?;
        c.update_calendar(id, new_name, calendar)
            .await
            .map_err(|e| duplicate(e, "a calendar with that name exists"))?;
        tx.commit().await?;
        self.core.sla_policies.forget();
        tracing::info!(calendar_id = %id, actor = %actor.id, "calendar changed");
        Ok(())
    }

    /// Removes a calendar no policy counts in and no agent works by; otherwise says who
    /// still uses it and changes nothing.
    pub async fn delete_calendar(&self, actor: &Actor, name: &str) -> Result<()> {
        actor.require_configure()?;
        let mut tx = self.core.begin().await?;
        let mut c = tx.conn();
        let id = calendar_id(&mut c, name).await?;
        let uses = c.calendar_uses(id).await?;
        if !uses.is_unused() {
            return Err(CoreError::Conflict(format!(
                "the calendar {name:?} is in use by {} SLA policies and {} agents' working hours",
                uses.policies, uses.agents
            )));
        }
        c.delete_calendar(id).await?;
        tx.commit().await?;
        self.core.sla_policies.forget();
        tracing::info!(calendar_id = %id, actor = %actor.id, "calendar deleted");
        Ok(())
    }

    /// Redefines policy `id` (its conditions, targets, calendar, escalation) in its place.
    pub async fn replace_sla_policy(
        &self,
        actor: &Actor,
        id: SlaPolicyId,
        policy: &Policy,
        calendar: &str,
    ) -> Result<ConfiguredPolicy> {
        actor.require_configure()?;
        let mut tx = self.core.begin().await?;
        let mut c = tx.conn();
        let calendar_id = checked(&mut c, policy, calendar).await?;
        let updated = c
            .update_sla_policy(id, policy, calendar_id)
            .await
            .map_err(|e| duplicate(e, "a policy with that name exists"))?;
        if !updated {
            return Err(CoreError::NotFound("SLA policy"));
        }
        let position = c
            .sla_policies()
            .await?
            .iter()
            .find(|r| r.id == id)
            .map_or(0, |r| r.position);
        tx.commit().await?;
        self.core.sla_policies.forget();
        tracing::info!(policy_id = %id, actor = %actor.id, "SLA policy changed");
        Ok(ConfiguredPolicy {
            id,
            position,
            calendar: calendar.to_owned(),
            policy: policy.clone(),
        })
    }

    /// Puts the policies in the order of `ids`, which must name every policy once.
    pub async fn reorder_sla_policies(&self, actor: &Actor, ids: &[SlaPolicyId]) -> Result<()> {
        actor.require_configure()?;
        let mut tx = self.core.begin().await?;
        let mut c = tx.conn();
        let current = c
            .sla_policies()
            .await?
            .iter()
            .map(|r| r.id)
            .collect::<Vec<_>>();
        for (id, position) in new_positions(current, ids, "policy")? {
            c.set_sla_policy_position(id, position).await?;
        }
        tx.commit().await?;
        self.core.sla_policies.forget();
        tracing::info!(actor = %actor.id, "SLA policies reordered");
        Ok(())
    }
}

async fn calendar_id(c: &mut frontline_store::Conn<'_>, name: &str) -> Result<CalendarId> {
    find_calendar(c, name)
        .await?
        .ok_or(CoreError::NotFound("calendar"))
}
