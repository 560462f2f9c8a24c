//! The SLA as the console shows it at this moment: the most pressing target of each ticket on
//! a queue page, and every target of one ticket with its policy and the clocks' pauses. Read
//! from the targets the reconcile keeps, counted up to now in each policy's calendar.

use std::collections::HashMap;

use frontline_domain::sla::{self, Pause, SlaTarget, TargetNow};
use frontline_domain::{Calendar, Ticket, TicketId};
use frontline_store::Conn;

use super::InForce;
use crate::{Actor, Result, Sla};

/// One target of a ticket now, under the policy that set it.
#[derive(Debug, Clone)]
pub struct TargetInForce {
    pub now: TargetNow,
    /// The policy's name; empty if it was deleted since.
    pub policy: String,
}

/// A ticket's SLA for its page.
#[derive(Debug, Clone, Default)]
pub struct TicketSlaNow {
    pub targets: Vec<TargetInForce>,
    /// When the clocks stood still, oldest first, under the policy in force.
    pub pauses: Vec<Pause>,
}

impl Sla {
    /// The most pressing target of each of `tickets` (a page the actor was shown); tickets
    /// without targets are left out. One read of the targets for the whole page.
    pub async fn standings(
        &self,
        actor: &Actor,
        tickets: &[TicketId],
    ) -> Result<HashMap<TicketId, TargetNow>> {
        actor.require_staff()?;
        let mut pc = self.core.store.read().await?;
        let mut c = pc.conn();
        let policies = self.core.sla_policies.get(&mut c).await?;
        let rows = c.ticket_slas_of(tickets).await?;
        let now = self.core.now();
        let mut by_ticket: HashMap<TicketId, Vec<TargetNow>> = HashMap::new();
        for t in &rows {
            by_ticket
                .entry(t.ticket_id)
                .or_default()
                .push(sla::target_now(t, calendar_of(&policies, t), now));
        }
        Ok(by_ticket
            .into_iter()
            .filter_map(|(id, targets)| sla::nearest(&targets).map(|n| (id, n)))
            .collect())
    }

    /// Every target of `ticket` (as the staff member `actor` was shown it) as of now, and the
    /// pauses of its clocks. One read when no policy applies.
    pub async fn ticket_sla_now(&self, actor: &Actor, ticket: &Ticket) -> Result<TicketSlaNow> {
        actor.require_staff()?;
        let ticket_id = ticket.record.id;
        let mut pc = self.core.store.read().await?;
        let mut c = pc.conn();
        let targets = c.ticket_slas(ticket_id).await?;
        if targets.is_empty() {
            return Ok(TicketSlaNow::default());
        }
        let policies = self.core.sla_policies.get(&mut c).await?;
        let pauses = pauses_of(&mut c, &policies, &targets, ticket_id).await?;
        let now = self.core.now();
        let targets = targets
            .iter()
            .map(|t| TargetInForce {
                now: sla::target_now(t, calendar_of(&policies, t), now),
                policy: policies
                    .iter()
                    .find(|p| p.id() == t.policy_id)
                    .map(|p| p.policy().name.clone())
                    .unwrap_or_default(),
            })
            .collect();
        Ok(TicketSlaNow { targets, pauses })
    }
}

/// The calendar of the policy that set `t`; around the clock if the policy is gone (its
/// targets go at the ticket's next change).
fn calendar_of<'a>(policies: &'a [InForce], t: &SlaTarget) -> &'a Calendar {
    static ALWAYS: std::sync::LazyLock<Calendar> = std::sync::LazyLock::new(Calendar::always);
    policies
        .iter()
        .find(|p| p.id() == t.policy_id)
        .map_or(&*ALWAYS, |p| &p.calendar)
}

async fn pauses_of(
    c: &mut Conn<'_>,
    policies: &[InForce],
    targets: &[SlaTarget],
    ticket_id: TicketId,
) -> Result<Vec<Pause>> {
    let Some(policy) = targets
        .first()
        .and_then(|t| policies.iter().find(|p| p.id() == t.policy_id))
    else {
        return Ok(Vec::new());
    };
    let history = c.sla_history(ticket_id).await?;
    Ok(sla::pauses(&history, &policy.policy().pause_when))
}
