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

use frontline_domain::Timestamp;
use frontline_domain::rules::Trigger;
use frontline_domain::{Ticket, TicketRecord};
use frontline_store::Conn;
use frontline_store::rules::RuleClocks;

use super::{apply_fields, facts_of, run_rules, within_limit, write_outcome};
use crate::tickets::{Trail, record_row_changes};
use crate::{CoreError, Desk, Result};

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

impl Desk {
    /// Runs the updated rules over `change` and moves the ticket's clocks, in the caller's
    /// transaction, after the caller saved the row and wrote its own trail and before it
    /// reconciles the SLA or queues mail (they then see what the rules did).
    pub(crate) async fn ticket_changed(
        &self,
        c: &mut Conn<'_>,
        change: Change<'_>,
        now: Timestamp,
    ) -> Result<Changed> {
        let Change {
            before,
            saved,
            kind,
        } = change;
        let at = now.as_micros();
        let id = saved.id;
        let set = self.rules.get(c).await?;
        let mut t = saved.clone();
        let mut rules_acted = false;
        if set.has(Trigger::Updated) {
            let changed_view = c
                .ticket_view(id)
                .await?
                .ok_or(CoreError::NotFound("ticket"))?;
            let was = facts_of(before);
            let mut changed = facts_of(&changed_view);
            changed.update = vec![kind.as_str().to_owned()];
            let mut after = changed.clone();
            // The change's version names this occasion in the dedup keys of the jobs the
            // rules queue (every change writes a new version).
            let cause = format!("v{}", saved.version);
            let out = run_rules(
                &set,
                Trigger::Updated,
                &mut after,
                Some(&was),
                None,
                &cause,
                now,
            );
            if !out.is_empty() && within_limit(c, id, now).await? {
                rules_acted = true;
                apply_fields(&set, &changed, &after, &mut t, now);
                let mut trail = Trail::new(id, None, now);
                if after.tags != changed.tags {
                    c.set_tags(id, &after.tags).await?;
                    trail.changed(
                        "tags",
                        Some(changed.tags.join(",")),
                        Some(after.tags.join(",")),
                    );
                }
                // Moved by a rule into a group that assigns automatically, without an
                // assignee.
                let mut picked = None;
                if let (Some(group), None) = (t.group_id, t.assignee_id)
                    && t.group_id != saved.group_id
                {
                    picked = self.pick_assignee(c, group, t.category_id, now).await?;
                    t.assignee_id = picked.as_ref().map(|p| p.user_id);
                }
                if t != saved {
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
                write_outcome(&set, c, &t, out, now).await?;
                tracing::info!(ticket_id = id, update = kind.as_str(), "updated rules ran");
            }
        }
        let clocks = RuleClocks {
            status_changed_at: (t.status != before.record.status).then_some(at),
            requester_replied_at: (kind == Update::RequesterReply).then_some(at),
            agent_replied_at: (kind == Update::AgentReply).then_some(at),
        };
        c.set_rule_clocks(id, clocks).await?;
        Ok(Changed {
            row: t,
            rules_acted,
        })
    }
}
