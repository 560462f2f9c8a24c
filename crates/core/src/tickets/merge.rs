//! Merging a duplicate into the ticket that carries on: the conversation and the watchers
//! move to the target, the source's requester starts watching it, and the source is closed.
//! Both tickets change, so the updated rules run over each (`update` is `merged_into` on the
//! source, `merged_from` on the target).

use frontline_domain::{EventKind, Status, Ticket};

use super::trail::Trail;
use super::update::record_row_changes;
use super::visible_for_update;
use crate::rules::{Change, Update};
use crate::{Actor, CoreError, Desk, Result};

impl Desk {
    pub async fn merge_tickets(
        &self,
        actor: &Actor,
        source_id: i64,
        target_id: i64,
    ) -> Result<Ticket> {
        actor.require_staff()?;
        if source_id == target_id {
            return Err(CoreError::invalid(
                "into",
                "a ticket cannot be merged into itself",
            ));
        }
        let now = self.now();
        let mut tx = self.begin().await?;
        let mut c = tx.conn();
        // Lock in id order so two opposite merges cannot deadlock.
        let (first, second) = (source_id.min(target_id), source_id.max(target_id));
        let a = visible_for_update(&mut c, actor, first).await?;
        let b = visible_for_update(&mut c, actor, second).await?;
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
        let source_before = c
            .ticket_view(source_id)
            .await?
            .ok_or(CoreError::NotFound("ticket"))?;
        let target_before = c
            .ticket_view(target_id)
            .await?
            .ok_or(CoreError::NotFound("ticket"))?;
        c.move_conversation(source_id, target_id).await?;
        let mut watchers = c.watcher_ids(source_id).await?;
        if source.requester_id != target.requester_id {
            watchers.push(source.requester_id);
        }
        for w in watchers {
            c.add_watcher(target_id, w).await?;
            c.remove_watcher(source_id, w).await?;
        }

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

        let source_after = c
            .ticket_view(source_id)
            .await?
            .ok_or(CoreError::NotFound("ticket"))?;
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
            self.ticket_changed(&mut c, change, now).await?;
        }
        self.reconcile_sla(&mut c, source_id, now, false).await?;
        self.reconcile_sla(&mut c, target_id, now, false).await?;
        let view = c
            .ticket_view(target_id)
            .await?
            .ok_or(CoreError::NotFound("ticket"))?;
        tx.commit().await?;
        tracing::info!(source_id, target_id, actor = actor.id, "tickets merged");
        Ok(view)
    }
}
