//! Escalating breached SLA targets as their policy says: notify the assignee, the group and
//! the managers, move the ticket to another group (the next tier), raise its priority one
//! step. Only the SLA timer job escalates, in its own transaction, so the actions commit with
//! the job's completion; a stored `escalated_at` makes each breach escalate once however often
//! the timer runs, and notifications carry dedup keys of their own.
//!
//! Every action is in the trail at the moment it was taken: an `sla_escalated` event per
//! target naming the actions, and the group, assignee and priority changes as field changes
//! with no actor (the system made them).

use frontline_domain::sla::{Escalation, Notify, SlaTarget};
use frontline_domain::{
    Email, EventId, EventKind, EventRecord, GroupId, Ticket, TicketId, TicketRecord, Timestamp,
    UserId,
};
use frontline_store::Conn;

use super::InForce;
use crate::notify::{self, Notification};
use crate::{CoreError, Result};

/// Escalates every breached target of the ticket that its policy escalates and that is not
/// escalated yet (nor met meanwhile). When it changed the ticket, the caller runs the updated
/// rules over the change and reconciles the SLA once more (a raised priority may bring in
/// another policy).
pub(super) async fn escalate(
    c: &mut Conn<'_>,
    ticket_id: TicketId,
    now: Timestamp,
    policies: &[InForce],
) -> Result<Escalated> {
    let targets = c.ticket_slas(ticket_id).await?;
    let pending = pending(&targets, policies);
    if pending.is_empty() {
        return Ok(Escalated::Nothing);
    }
    // The whole ticket, as the updated rules compare it with the escalated one.
    let Some(before) = c.ticket_view(ticket_id).await? else {
        return Ok(Escalated::Nothing);
    };
    let mut t = before.record.clone();
    let mut events = Vec::new();
    for (target, escalation) in pending {
        let (assignee, group) = (t.assignee_id, t.group_id);
        let mut actions = Vec::new();
        if let Some(name) = &escalation.move_to_group {
            actions.extend(move_to_group(c, &mut t, name).await?);
        }
        if escalation.raise_priority {
            actions.extend(raise_priority(&mut t));
        }
        let groups: Vec<GroupId> = group.into_iter().chain(t.group_id).collect();
        let notified = notify_breach(c, target, escalation, assignee, &groups, now).await?;
        actions.extend(notified);
        if actions.is_empty() {
            actions.push("nothing left to do".to_owned());
        }
        events.push(event(
            ticket_id,
            now,
            EventKind::SlaEscalated,
            target.target.as_str(),
            None,
            Some(actions.join("; ")),
        ));
        let done = SlaTarget {
            escalated_at: Some(now),
            ..target.clone()
        };
        c.put_ticket_sla(&done).await?;
    }
    let changed = t != before.record;
    if changed {
        events.extend(save(c, &before, t, now).await?);
    }
    for e in &events {
        c.insert_event(e).await?;
    }
    Ok(if changed {
        Escalated::Changed {
            before: Box::new(before),
        }
    } else {
        Escalated::Notified
    })
}

/// The targets awaiting their escalation, each with what its policy says to do.
fn pending<'a>(
    targets: &'a [SlaTarget],
    policies: &'a [InForce],
) -> Vec<(&'a SlaTarget, &'a Escalation)> {
    targets
        .iter()
        .filter(|t| t.awaits_escalation())
        .filter_map(|t| {
            let p = policies.iter().find(|p| p.id() == t.policy_id)?;
            Some((t, p.policy().escalation.as_ref()?))
        })
        .collect()
}

/// Moves the ticket to the group named `name` (the next tier); says what it did.
async fn move_to_group(
    c: &mut Conn<'_>,
    t: &mut TicketRecord,
    name: &str,
) -> Result<Option<String>> {
    Ok(match c.group_by_name(name).await? {
        Some(g) if t.group_id != Some(g.id) => {
            t.group_id = Some(g.id);
            // The new tier picks the ticket up unless its assignee belongs to it.
            if let Some(a) = t.assignee_id
                && !c.is_group_member(g.id, a).await?
            {
                t.assignee_id = None;
            }
            Some(format!("moved to {name}"))
        }
        Some(_) => None,
        None => Some(format!("group {name} no longer exists")),
    })
}

/// Raises the ticket's priority one step, unless it is the highest already.
fn raise_priority(t: &mut TicketRecord) -> Option<String> {
    let was = t.priority;
    if was.raised() == was {
        return None;
    }
    t.priority = was.raised();
    t.priority_overridden = true;
    Some(format!("priority raised to {}", was.raised().as_str()))
}

/// Queues the breach's notification to whom the escalation names: the assignee before it,
/// the members of `groups` (the ticket's before and after a move), the managers. Says how
/// many it notifies, once per breach (the job's dedup key).
async fn notify_breach(
    c: &mut Conn<'_>,
    target: &SlaTarget,
    escalation: &Escalation,
    assignee: Option<UserId>,
    groups: &[GroupId],
    now: Timestamp,
) -> Result<Option<String>> {
    let wants = |n: Notify| escalation.notify.contains(&n);
    let groups = if wants(Notify::Group) { groups } else { &[] };
    let recipients = c
        .staff_to_notify(
            assignee.filter(|_| wants(Notify::Assignee)),
            groups,
            wants(Notify::Manager),
        )
        .await?;
    if recipients.is_empty() {
        return Ok(None);
    }
    let (ticket_id, name) = (target.ticket_id, target.target.as_str());
    let breached_at = target.breached_at.map_or(0, Timestamp::as_micros);
    let n = Notification {
        ticket_id,
        reason: format!("sla_breached:{name}"),
        recipients,
    };
    let key = format!(
        "notify:sla_breached:{ticket_id}:{name}:{}:{breached_at}",
        target.started_at.as_micros()
    );
    let count = n.recipients.len();
    let queued = notify::enqueue(c, &n, key, now.as_micros()).await?;
    Ok(queued.then(|| format!("notifying {count}")))
}

/// Saves the escalated ticket under a new version; returns its field changes as events.
async fn save(
    c: &mut Conn<'_>,
    before: &Ticket,
    mut t: TicketRecord,
    now: Timestamp,
) -> Result<Vec<EventRecord>> {
    t.version = before.record.version + 1;
    t.times.updated_at = now;
    c.save_ticket(&t, before.record.version).await?;
    let after = c
        .ticket_view_bare(t.id)
        .await?
        .ok_or(CoreError::NotFound("ticket"))?;
    Ok(changes(t.id, now, before, &after))
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
fn changes(
    ticket_id: TicketId,
    now: Timestamp,
    before: &Ticket,
    after: &Ticket,
) -> Vec<EventRecord> {
    let priority = |v: &Ticket| Some(v.record.priority.as_str().to_owned());
    [
        ("group", before.group_name.clone(), after.group_name.clone()),
        (
            "assignee",
            before.assignee_email.as_ref().map(Email::to_string),
            after.assignee_email.as_ref().map(Email::to_string),
        ),
        ("priority", priority(before), priority(after)),
    ]
    .into_iter()
    .filter(|(_, old, new)| old != new)
    .map(|(field, old, new)| event(ticket_id, now, EventKind::FieldChanged, field, old, new))
    .collect()
}

fn event(
    ticket_id: TicketId,
    now: Timestamp,
    kind: EventKind,
    field: &str,
    old: Option<String>,
    new: Option<String>,
) -> EventRecord {
    EventRecord {
        id: EventId::default(),
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
