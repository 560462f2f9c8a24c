//! Updated rules on a mail reply. A reply that lands as a comment is a change of its ticket
//! (a new comment, often a status the requester's answer moved), so the `updated` rules run
//! over it as they run over a PATCH: they compare the ticket before and after, what they set
//! is folded into the same version, their events and effects are written in the ingest
//! job's transaction, and rule actions never trigger updated rules again.
//!
//! The pieces are the rules module's (`run_rules`, `apply_fields`, `within_limit`,
//! `write_outcome`); only the order of writing differs from PATCH, because the comment path
//! has saved the row already.

use frontline_domain::Timestamp;
use frontline_domain::rules::Trigger;
use frontline_store::Conn;
use frontline_store::tickets::TicketView;

use crate::rules::{apply_fields, facts_of, run_rules, within_limit, write_outcome};
use crate::tickets::{Trail, record_row_changes};
use crate::{CoreError, Desk, Result};

impl Desk {
    /// The ticket as updated rules will compare it, read before a reply is written; `None`
    /// when the desk has no updated rules (a cached answer: no query).
    pub(super) async fn before_reply(
        &self,
        c: &mut Conn<'_>,
        ticket_id: i64,
    ) -> Result<Option<TicketView>> {
        if !self.rules.get(c).await?.has(Trigger::Updated) {
            return Ok(None);
        }
        Ok(c.ticket_view(ticket_id).await?)
    }

    /// Runs the updated rules over what the reply changed since `before`, in the caller's
    /// transaction, and writes what they did into the reply's version of the ticket.
    pub(super) async fn updated_rules_after_reply(
        &self,
        c: &mut Conn<'_>,
        before: &TicketView,
        now: Timestamp,
    ) -> Result<()> {
        let id = before.row.id;
        let set = self.rules.get(c).await?;
        let old = c
            .ticket_for_update(id)
            .await?
            .ok_or(CoreError::NotFound("ticket"))?;
        let replied = c
            .ticket_view(id)
            .await?
            .ok_or(CoreError::NotFound("ticket"))?;
        let was = facts_of(before);
        let changed = facts_of(&replied);
        let mut after = changed.clone();
        // The reply's version names this occasion, as PATCH's version names its own.
        let cause = format!("v{}", old.version);
        let out = run_rules(
            &set,
            Trigger::Updated,
            &mut after,
            Some(&was),
            None,
            &cause,
            now,
        );
        if out.is_empty() || !within_limit(c, id, now).await? {
            return Ok(());
        }
        let at = now.as_micros();
        let mut t = old.clone();
        apply_fields(&set, &changed, &after, &mut t, at);
        let mut trail = Trail::new(id, None, now);
        if after.tags != changed.tags {
            c.set_tags(id, &after.tags).await?;
            trail.changed(
                "tags",
                Some(changed.tags.join(",")),
                Some(after.tags.join(",")),
            );
        }
        // Moved by a rule into a group that assigns automatically, without an assignee.
        let mut picked = None;
        if let (Some(group), None) = (t.group_id, t.assignee_id)
            && t.group_id != old.group_id
        {
            picked = self.pick_assignee(c, group, t.category_id, now).await?;
            t.assignee_id = picked.as_ref().map(|p| p.user_id);
        }
        if t != old {
            // The same version as the reply: one change, as PATCH writes one for a change
            // and its rules.
            c.save_ticket(&t, old.version).await?;
            let now_view = c
                .ticket_view(id)
                .await?
                .ok_or(CoreError::NotFound("ticket"))?;
            record_row_changes(&mut trail, &replied, &now_view);
        }
        trail.write(c).await?;
        if let Some(pick) = picked {
            c.insert_event(&pick.event(id, now)).await?;
        }
        write_outcome(&set, c, &t, out, now).await?;
        self.reconcile_sla(c, id, now, false).await?;
        tracing::info!(ticket_id = id, "updated rules ran on a mail reply");
        Ok(())
    }
}
