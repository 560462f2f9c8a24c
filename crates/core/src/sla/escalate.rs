//! Escalating breached SLA targets as their policy says: notify the assignee, the group and
//! the managers, move the ticket to another group (the next tier), raise its priority one
//! step. Only the SLA timer job escalates, in its own transaction, so the actions commit with
//! the job's completion; a stored `escalated_at` makes each breach escalate once however often
//! the timer runs, and notifications carry dedup keys of their own.
//!
//! Every action is in the trail at the moment it was taken: an `sla_escalated` event per
//! target naming the actions, and the group, assignee and priority changes as field changes
//! with no actor (the system made them).

use frontline_domain::EventRecord;
use frontline_domain::Ticket;
use frontline_domain::sla::{Escalation, Notify, Policy};
use frontline_domain::{Calendar, EventKind, Timestamp};
use frontline_store::Conn;
use frontline_store::sla::{PolicyRow, TicketSlaRow};

use crate::notify::{self, Notification};
use crate::{CoreError, Result};

/// Escalates every breached target of the ticket that its policy escalates and that is not
/// escalated yet (nor met meanwhile). When it changed the ticket, the caller runs the updated
/// rules over the change and reconciles the SLA once more (a raised priority may bring in
/// another policy).
pub(super) async fn escalate(
    c: &mut Conn<'_>,
    ticket_id: i64,
    now: Timestamp,
    policies: &[(PolicyRow, Policy, Calendar)],
) -> Result<Escalated> {
    let rows = c.ticket_slas(ticket_id).await?;
    let pending: Vec<(&TicketSlaRow, &Escalation)> = rows
        .iter()
        .filter(|r| r.breached_at.is_some() && r.met_at.is_none() && r.escalated_at.is_none())
        .filter_map(|r| {
            let (_, policy, _) = policies.iter().find(|(p, _, _)| p.id == r.policy_id)?;
            Some((r, policy.escalation.as_ref()?))
        })
        .collect();
    if pending.is_empty() {
        return Ok(Escalated::Nothing);
    }
    // The whole ticket, as the updated rules compare it with the escalated one.
    let Some(before) = c.ticket_view(ticket_id).await? else {
        return Ok(Escalated::Nothing);
    };
    let mut t = before.record.clone();
    let mut events = Vec::new();
    for (row, escalation) in pending {
        let mut actions = Vec::new();
        let (assignee, group) = (t.assignee_id, t.group_id);
        if let Some(name) = &escalation.move_to_group {
            match c.group_by_name(name).await? {
                Some(g) if t.group_id != Some(g.id) => {
                    t.group_id = Some(g.id);
                    // The new tier picks the ticket up unless its assignee belongs to it.
                    if let Some(a) = t.assignee_id
                        && !c.is_group_member(g.id, a).await?
                    {
                        t.assignee_id = None;
                    }
                    actions.push(format!("moved to {name}"));
                }
                Some(_) => {}
                None => actions.push(format!("group {name} no longer exists")),
            }
        }
        if escalation.raise_priority {
            let was = t.priority;
            if was.raised() != was {
                t.priority = was.raised();
                t.priority_overridden = true;
                actions.push(format!("priority raised to {}", was.raised().as_str()));
            }
        }
        let wants = |n: Notify| escalation.notify.contains(&n);
        let groups: Vec<i64> = if wants(Notify::Group) {
            group.into_iter().chain(t.group_id).collect()
        } else {
            Vec::new()
        };
        let recipients = c
            .staff_to_notify(
                assignee.filter(|_| wants(Notify::Assignee)),
                &groups,
                wants(Notify::Manager),
            )
            .await?;
        if !recipients.is_empty() {
            let breached_at = row.breached_at.unwrap_or_default();
            let n = Notification {
                ticket_id,
                reason: format!("sla_breached:{}", row.target),
                recipients,
            };
            let key = format!(
                "notify:sla_breached:{ticket_id}:{}:{}:{breached_at}",
                row.target, row.started_at
            );
            let count = n.recipients.len();
            if notify::enqueue(c, &n, key, now.as_micros()).await? {
                actions.push(format!("notifying {count}"));
            }
        }
        if actions.is_empty() {
            actions.push("nothing left to do".to_owned());
        }
        events.push(event(
            ticket_id,
            now,
            EventKind::SlaEscalated,
            &row.target,
            None,
            Some(actions.join("; ")),
        ));
        let mut done = row.clone();
        done.escalated_at = Some(now.as_micros());
        c.put_ticket_sla(&done).await?;
    }
    if t != before.record {
        t.version = before.record.version + 1;
        t.times.updated_at = now;
        c.save_ticket(&t, before.record.version).await?;
        let after = c
            .ticket_view_bare(ticket_id)
            .await?
            .ok_or(CoreError::NotFound("ticket"))?;
        events.extend(changes(ticket_id, now, &before, &after));
    }
    for e in &events {
        c.insert_event(e).await?;
    }
    Ok(if t != before.record {
        Escalated::Changed {
            before: Box::new(before),
        }
    } else {
        Escalated::Notified
    })
}

/// What [`escalate`] did.
#[derive(Debug)]
pub(super) enum Escalated {
    /// No breach waited for its escalation.
    Nothing,
    /// Escalated without changing the ticket's fields (it notified, or had nothing to do).
    Notified,
    /// Escalated and saved the ticket under a new version; `before` is the ticket as it was.
    Changed { before: Box<Ticket> },
}

/// The field changes an escalation can make, in the names people read.
fn changes(ticket_id: i64, now: Timestamp, before: &Ticket, after: &Ticket) -> Vec<EventRecord> {
    let priority = |v: &Ticket| Some(v.record.priority.as_str().to_owned());
    [
        ("group", before.group_name.clone(), after.group_name.clone()),
        (
            "assignee",
            before.assignee_email.clone(),
            after.assignee_email.clone(),
        ),
        ("priority", priority(before), priority(after)),
    ]
    .into_iter()
    .filter(|(_, old, new)| old != new)
    .map(|(field, old, new)| event(ticket_id, now, EventKind::FieldChanged, field, old, new))
    .collect()
}

fn event(
    ticket_id: i64,
    now: Timestamp,
    kind: EventKind,
    field: &str,
    old: Option<String>,
    new: Option<String>,
) -> EventRecord {
    EventRecord {
        id: 0,
        ticket_id,
        actor_id: None,
        at: now,
        kind,
        field: Some(field.to_owned()),
        old_value: old,
        new_value: new,
        internal: false,
    }
}
