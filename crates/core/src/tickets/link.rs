//! Links between tickets: related, parent/child, duplicate. Each link appears on both
//! tickets, read from that ticket's side, and is recorded in both audit trails. Adding or
//! removing one is a change of both tickets (a new version; updated rules with `update` is
//! `link`).

use frontline_domain::{EventKind, Link, LinkKind, TicketId, Timestamp};

use super::trail::Trail;
use super::{can_see, visible_for_update};
use crate::rules::{Change, Update};
use crate::{Actor, CoreError, Result, Tickets};

/// A link as seen from one ticket: `kind` reads "this ticket is <kind> `ticket`".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketLink {
    pub kind: LinkKind,
    pub ticket: TicketId,
    pub created_at: Timestamp,
}

impl Tickets {
    pub async fn links(&self, actor: &Actor, ticket_id: TicketId) -> Result<Vec<TicketLink>> {
        let mut pc = self.core.store.read().await?;
        let mut c = pc.conn();
        let t = c
            .ticket_row(ticket_id)
            .await?
            .ok_or(CoreError::NotFound("ticket"))?;
        if !can_see(&mut c, actor, &t).await? {
            return Err(CoreError::NotFound("ticket"));
        }
        Ok(c.links_of(ticket_id)
            .await?
            .into_iter()
            .map(|l| {
                if l.source_id == ticket_id {
                    TicketLink {
                        kind: l.kind,
                        ticket: l.target_id,
                        created_at: l.created_at,
                    }
                } else {
                    TicketLink {
                        kind: l.kind.inverse(),
                        ticket: l.source_id,
                        created_at: l.created_at,
                    }
                }
            })
            .collect())
    }

    /// Links `ticket_id` to `other`; linking what is already linked changes nothing.
    pub async fn link_tickets(
        &self,
        actor: &Actor,
        ticket_id: TicketId,
        kind: LinkKind,
        other: TicketId,
    ) -> Result<TicketLink> {
        self.change_link(actor, ticket_id, kind, other, true)
            .await?;
        Ok(TicketLink {
            kind,
            ticket: other,
            created_at: self.core.now(),
        })
    }

    pub async fn unlink_tickets(
        &self,
        actor: &Actor,
        ticket_id: TicketId,
        kind: LinkKind,
        other: TicketId,
    ) -> Result<()> {
        if self
            .change_link(actor, ticket_id, kind, other, false)
            .await?
        {
            Ok(())
        } else {
            Err(CoreError::NotFound("link"))
        }
    }

    async fn change_link(
        &self,
        actor: &Actor,
        ticket_id: TicketId,
        kind: LinkKind,
        other: TicketId,
        add: bool,
    ) -> Result<bool> {
        actor.require_staff()?;
        if ticket_id == other {
            return Err(CoreError::invalid(
                "ticket",
                "a ticket cannot be linked to itself",
            ));
        }
        let now = self.core.now();
        let mut tx = self.core.begin().await?;
        let mut c = tx.conn();
        let first = visible_for_update(&mut c, actor, ticket_id.min(other)).await?;
        let second = visible_for_update(&mut c, actor, ticket_id.max(other)).await?;
        let (source_id, kind_stored, target_id) = kind.canonical(ticket_id, other);
        let changed = if add {
            c.insert_link(&Link {
                source_id,
                kind: kind_stored,
                target_id,
                created_at: now,
            })
            .await?
        } else {
            c.delete_link(source_id, kind_stored, target_id).await?
        };
        if changed {
            let event = if add {
                EventKind::Linked
            } else {
                EventKind::Unlinked
            };
            for (id, k, to) in [(ticket_id, kind, other), (other, kind.inverse(), ticket_id)] {
                let mut trail = Trail::new(id, Some(actor.id), now);
                trail.push(event, Some(k.as_str()), None, Some(to.to_string()), false);
                trail.write(&mut c).await?;
            }
            // A link is a change of both tickets: a new version each, and the updated
            // rules run over each.
            for old in [first, second] {
                let before = c
                    .ticket_view(old.id)
                    .await?
                    .ok_or(CoreError::NotFound("ticket"))?;
                let mut saved = old.clone();
                saved.version = old.version + 1;
                saved.times.updated_at = now;
                c.save_ticket(&saved, old.version).await?;
                let change = Change {
                    before: &before,
                    saved,
                    kind: Update::Link,
                };
                self.rules().ticket_changed(&mut c, change, now).await?;
            }
        }
        tx.commit().await?;
        Ok(changed)
    }
}
