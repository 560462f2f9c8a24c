//! Every change of a ticket ends here, in its own transaction: a field edit, a reply or note
//! (over the API, the console, the portal or by mail), a merge, a link, an SLA escalation,
//! automatic assignment's pick for a new ticket. The `updated` rules
//! run once over what the change did, told what kind of change it was; what they set is
//! folded into the change's own version, and the clocks time rules measure from (status
//! since, last reply from either side) move on.
//!
//! The operation has saved its row already, so every path writes the same way: rules compare
//! the ticket before the operation with the ticket after it. Rule actions are written here
//! directly and never come back through this function, so rules cannot trigger rules; the
//! per-ticket [`LOOP_LIMIT`](super::LOOP_LIMIT) stops a ticket that changes too often anyway
//! (a webhook whose receiver changes the ticket again).

use frontline_domain::rules::Trigger;
use frontline_domain::{Ticket, TicketRecord, Timestamp};
use frontline_store::Conn;
use frontline_store::rules::RuleClocks;

use super::{RuleSet, apply_fields, facts_of, run_rules, within_limit, write_outcome};
use crate::assignment::Pick;
use crate::tickets::{Trail, record_row_changes};
use crate::{CoreError, Result, Rules};

/// What kind of change it was: the values of the `update` condition field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Update {
    RequesterReply,
    AgentReply,
    Note,
    Edit,
    MergedInto,
    MergedFrom,
    Link,
    SlaEscalation,
    AutoAssignment,
}

impl Update {
    pub fn as_str(self) -> &'static str {
        match self {
            Update::RequesterReply => "requester_reply",
            Update::AgentReply => "agent_reply",
            Update::Note => "note",
            Update::Edit => "edit",
            Update::MergedInto => "merged_into",
            Update::MergedFrom => "merged_from",
            Update::Link => "link",
            Update::SlaEscalation => "sla_escalation",
            Update::AutoAssignment => "auto_assignment",
        }
    }
}

/// The ticket after its change and the rules: the row as finally stored, and whether rules
/// acted (then a view read before holds stale fields or tags).
pub(crate) struct Changed {
    pub row: TicketRecord,
    pub rules_acted: bool,
}

/// One change of one ticket, as the operation wrote it.
pub(crate) struct Change<'a> {
    /// The ticket before the operation.
    pub before: &'a Ticket,
    /// The row as the operation saved it, with its new version.
    pub saved: TicketRecord,
    pub kind: Update,
}

impl Rules {
    /// Runs the updated rules over `change` and moves the ticket's clocks, in the caller's
    /// transaction, after the caller saved the row and wrote its own trail and before it
    /// reconciles the SLA or queues mail (they then see what the rules did).
    pub(crate) async fn ticket_changed(
        &self,
        c: &mut Conn<'_>,
        change: Change<'_>,
        now: Timestamp,
    ) -> Result<Changed> {
        let set = self.core.rules.get(c).await?;
        let changed = if set.has(Trigger::Updated) {
            self.run_updated_rules(c, &set, &change, now).await?
        } else {
            None
        };
        let changed = changed.unwrap_or_else(|| Changed {
            row: change.saved.clone(),
            rules_acted: false,
        });
        let at = now.as_micros();
        let clocks = RuleClocks {
            status_changed_at: (changed.row.status != change.before.record.status).then_some(at),
            requester_replied_at: (change.kind == Update::RequesterReply).then_some(at),
            agent_replied_at: (change.kind == Update::AgentReply).then_some(at),
        };
        c.set_rule_clocks(change.saved.id, clocks).await?;
        Ok(changed)
    }

    /// Runs the updated rules over the change; when they acted (within the loop guard),
    /// folds what they set into the change's version and writes their trail and effects.
    /// `None` when no rule acted.
    async fn run_updated_rules(
        &self,
        c: &mut Conn<'_>,
        set: &RuleSet,
        change: &Change<'_>,
        now: Timestamp,
    ) -> Result<Option<Changed>> {
        let saved = &change.saved;
        let id = saved.id;
        let changed_view = c
            .ticket_view(id)
            .await?
            .ok_or(CoreError::NotFound("ticket"))?;
        let was = facts_of(change.before);
        let mut changed = facts_of(&changed_view);
        changed.update = vec![change.kind.as_str().to_owned()];
        let mut after = changed.clone();
        // The change's version names this occasion in the dedup keys of the jobs the rules
        // queue (every change writes a new version).
        let cause = format!("v{}", saved.version);
        let out = run_rules(
            set,
            Trigger::Updated,
            &mut after,
            Some(&was),
            None,
            &cause,
            now,
        );
        if out.is_empty() || !within_limit(c, id, now).await? {
            return Ok(None);
        }
        let mut t = saved.clone();
        apply_fields(set, &changed, &after, &mut t, now);
        let mut trail = Trail::new(id, None, now);
        if after.tags != changed.tags {
            c.set_tags(id, &after.tags).await?;
            trail.changed(
                "tags",
                Some(changed.tags.join(",")),
                Some(after.tags.join(",")),
            );
        }
        let picked = self.pick_after_move(c, &mut t, saved, now).await?;
        if t != *saved {
            // The same version: the change and its rules are one change.
            c.save_ticket(&t, saved.version).await?;
            let now_view = c
                .ticket_view(id)
                .await?
                .ok_or(CoreError::NotFound("ticket"))?;
            record_row_changes(&mut trail, &changed_view, &now_view);
        }
        trail.write(c).await?;
        if let Some(pick) = picked {
            c.insert_event(&pick.event(id, now)).await?;
        }
        write_outcome(set, c, &t, out, now).await?;
        tracing::info!(
            ticket_id = %id,
            update = change.kind.as_str(),
            "updated rules ran"
        );
        Ok(Some(Changed {
            row: t,
            rules_acted: true,
        }))
    }

    /// Moved by a rule into a group that assigns automatically, without an assignee: the
    /// group picks one (into `t`).
    async fn pick_after_move(
        &self,
        c: &mut Conn<'_>,
        t: &mut TicketRecord,
        saved: &TicketRecord,
        now: Timestamp,
    ) -> Result<Option<Pick>> {
        let (Some(group), None) = (t.group_id, t.assignee_id) else {
            return Ok(None);
        };
        if t.group_id == saved.group_id {
            return Ok(None);
        }
        let picked = self
            .assignment()
            .pick_assignee(c, group, t.category_id, now)
            .await?;
        t.assignee_id = picked.as_ref().map(|p| p.user_id);
        Ok(picked)
    }
}
