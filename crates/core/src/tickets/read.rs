//! Reading one ticket and its audit trail.

use frontline_domain::{Event, EventId, Ticket, TicketId};

use super::can_see;
use crate::{Actor, CoreError, Result, Tickets};

impl Tickets {
    pub async fn ticket(&self, actor: &Actor, id: TicketId) -> Result<Ticket> {
        let mut pc = self.core.store.read().await?;
        let mut c = pc.conn();
        let view = c
            .ticket_view(id)
            .await?
            .ok_or(CoreError::NotFound("ticket"))?;
        if can_see(&mut c, actor, &view.record).await? {
            Ok(view)
        } else {
            Err(CoreError::NotFound("ticket"))
        }
    }

    /// A page of the audit trail after event `after_id`; requesters never see internal events.
    pub async fn events(
        &self,
        actor: &Actor,
        ticket_id: TicketId,
        after_id: EventId,
        limit: i64,
    ) -> Result<Vec<Event>> {
        let mut pc = self.core.store.read().await?;
        let mut c = pc.conn();
        let t = c
            .ticket_row(ticket_id)
            .await?
            .ok_or(CoreError::NotFound("ticket"))?;
        if !can_see(&mut c, actor, &t).await? {
            return Err(CoreError::NotFound("ticket"));
        }
        Ok(c.events(ticket_id, actor.is_staff(), after_id, limit)
            .await?)
    }

    /// Ticket counts by status, for metrics.
    pub async fn tickets_by_status(&self) -> Result<Vec<(String, i64)>> {
        let mut c = self.core.store.read().await?;
        Ok(c.conn().tickets_by_status().await?)
    }
}
