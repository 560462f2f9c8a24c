//! Merging a duplicate into the ticket that carries on: the conversation and the watchers
//! move to the target, the source's requester starts watching it, and the source is closed.
//! Both tickets change, so the updated rules run over each (`update` is `merged_into` on the
//! source, `merged_from` on the target).

use frontline_domain::{EventKind, Status, Ticket, TicketId, TicketRecord};
use frontline_store::Conn;

use super::trail::Trail;
use super::update::record_row_changes;
use super::visible_for_update;
use crate::rules::{Change, Update};
use crate::{Actor, CoreError, Result, Tickets};

impl Tickets {
    pub async fn merge_tickets(
        &self,
        actor: &Actor,
        source_id: TicketId,
        target_id: TicketId,
    ) -> Result<Ticket> {
        actor.require_staff()?;
        if source_id == target_id {
            return Err(CoreError::invalid(
                "into",
                "a ticket cannot be merged into itself",
            ));
        }
        let now = self.core.now();
        let mut tx = self.core.begin().await?;
        let mut c = tx.conn();
        let (source, target) = mergeable_pair(&mut c, actor, source_id, target_id).await?;
        let source_before = stored_view(&mut c, source_id).await?;
        let target_before = stored_view(&mut c, target_id).await?;
        move_conversation_and_watchers(&mut c, &source, &target).await?;

        let mut s = source.clone();
        s.merged_into_id = Some(target_id);
        s.set_status(Status::Closed, now);
        s.version += 1;
        s.times.updated_at = now;
        c.save_ticket(&s, source.version).await?;
        let mut t = target.clone();
        t.version += 1;
        t.times.updated_at = now;
        c.save_ticket(&t, target.version).await?;

        let source_after = stored_view(&mut c, source_id).await?;
        let mut trail = Trail::new(source_id, Some(actor.id), now);
        trail.push(
            EventKind::MergedInto,
            None,
            None,
            Some(target_id.to_string()),
            false,
        );
        record_row_changes(&mut trail, &source_before, &source_after);
        trail.write(&mut c).await?;
        let mut trail = Trail::new(target_id, Some(actor.id), now);
        trail.push(
            EventKind::MergedFrom,
            None,
            None,
            Some(source_id.to_string()),
            false,
        );
        trail.write(&mut c).await?;
        // Two changes, one of each ticket: the updated rules run over both.
        for (before, saved, kind) in [
            (&source_before, s, Update::MergedInto),
            (&target_before, t, Update::MergedFrom),
        ] {
            let change = Change {
                before,
                saved,
                kind,
            };
            self.rules().ticket_changed(&mut c, change, now).await?;
        }
        self.sla()
            .reconcile_sla(&mut c, source_id, now, false)
            .await?;
        self.sla()
            .reconcile_sla(&mut c, target_id, now, false)
            .await?;
        let view = stored_view(&mut c, target_id).await?;
        tx.commit().await?;
        tracing::info!(%source_id, %target_id, actor = %actor.id, "tickets merged");
        Ok(view)
    }
}

/// Both tickets locked for change, `(source, target)`, if the source is not merged yet and
/// the target is active.
async fn mergeable_pair(
    c: &mut Conn<'_>,
    actor: &Actor,
    source_id: TicketId,
    target_id: TicketId,
) -> Result<(TicketRecord, TicketRecord)> {
    // Lock in id order so two opposite merges cannot deadlock.
    let (first, second) = (source_id.min(target_id), source_id.max(target_id));
    let a = visible_for_update(c, actor, first).await?;
    let b = visible_for_update(c, actor, second).await?;
    let (source, target) = if a.id == source_id { (a, b) } else { (b, a) };
    if source.merged_into_id.is_some() {
        return Err(CoreError::Conflict(format!(
            "ticket {source_id} is already merged"
        )));
    }
    if target.merged_into_id.is_some() || target.status == Status::Closed {
        return Err(CoreError::Conflict(format!(
            "ticket {target_id} is closed or merged; merge into an active ticket"
        )));
    }
    Ok((source, target))
}

/// The conversation and the watchers move to the target; the source's requester, when
/// another person, starts watching it.
async fn move_conversation_and_watchers(
    c: &mut Conn<'_>,
    source: &TicketRecord,
    target: &TicketRecord,
) -> Result<()> {
    c.move_conversation(source.id, target.id).await?;
    let mut watchers = c.watcher_ids(source.id).await?;
    if source.requester_id != target.requester_id {
        watchers.push(source.requester_id);
    }
    for w in watchers {
        c.add_watcher(target.id, w).await?;
        c.remove_watcher(source.id, w).await?;
    }
    Ok(())
}

/// The ticket as stored now, in the merge's transaction.
async fn stored_view(c: &mut Conn<'_>, id: TicketId) -> Result<Ticket> {
    c.ticket_view(id)
        .await?
        .ok_or(CoreError::NotFound("ticket"))
}
