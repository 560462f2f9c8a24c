//! Reconciling a ticket's SLA state: replay the trail under the policy that applies, record
//! each transition as an event at its exact time, store the new state and the ticket's queue
//! summary (earliest due time, breached), and queue the timers for the next warning and due
//! time, and for a breach still to be escalated.

use std::collections::HashMap;

use frontline_domain::EventRecord;
use frontline_domain::Ticket;
use frontline_domain::sla::{
    self, ClockState, Facts, Happening, Moment, Policy, Target, TargetClock,
};
use frontline_domain::{Calendar, EventKind, Role, Status, Timestamp};
use frontline_store::Conn;
use frontline_store::jobs::NewJob;
use frontline_store::sla::{HistoryRow, PolicyRow, SlaSummary, TicketSlaRow};

use super::TIMER_JOB;
use crate::Result;

/// See [`Desk::reconcile_sla`]; `by_timer` when the SLA timer runs it (and escalates).
/// Returns the ticket's new due time when it moved (time rules on it may need a job).
pub(super) async fn reconcile(
    c: &mut Conn<'_>,
    ticket_id: i64,
    now: Timestamp,
    policies: &[(PolicyRow, Policy, Calendar)],
    stored: HashMap<String, TicketSlaRow>,
    by_timer: bool,
) -> Result<Option<i64>> {
    // Only the fields and the names the policies' conditions read.
    let Some(ticket) = c.ticket_view_bare(ticket_id).await? else {
        return Ok(None);
    };
    let (policy_id, escalates, clocks) = match applicable(&ticket, policies)? {
        Some((row, policy, calendar)) => {
            let history = moments(&c.sla_history(ticket_id).await?);
            let clocks = sla::evaluate(policy, calendar, &history, now);
            (row.id, policy.escalation.is_some(), clocks)
        }
        None => (0, false, Vec::new()),
    };
    let mut events = Vec::new();
    let mut event =
        |at: i64, kind: EventKind, target: Target, old: Option<String>, new: Option<String>| {
            events.push(EventRecord {
                id: 0,
                ticket_id,
                actor_id: None,
                at: Timestamp::from_micros(at),
                kind,
                field: Some(target.as_str().to_owned()),
                old_value: old,
                new_value: new,
                internal: false,
            });
        };
    let mut timers = Vec::new();
    let mut rows = Vec::new();
    for clock in &clocks {
        let before = stored.get(clock.target.as_str());
        let row = next_row(ticket_id, policy_id, clock, before, now);
        let same_cycle = before.is_some_and(|b| b.started_at == row.started_at);
        if !same_cycle {
            event(
                row.started_at,
                EventKind::SlaStarted,
                clock.target,
                None,
                row.due_at.map(rfc3339),
            );
        } else if let Some(b) = before.filter(|b| b.policy_id != policy_id) {
            event(
                now.as_micros(),
                EventKind::SlaPolicyChanged,
                clock.target,
                b.due_at.map(rfc3339),
                row.due_at.map(rfc3339),
            );
        }
        let was = before.filter(|_| same_cycle).map(|b| b.state.as_str());
        match (was, clock.state) {
            (Some("running"), ClockState::Paused) => event(
                now.as_micros(),
                EventKind::SlaPaused,
                clock.target,
                None,
                None,
            ),
            (Some("paused"), ClockState::Running) => event(
                now.as_micros(),
                EventKind::SlaResumed,
                clock.target,
                None,
                row.due_at.map(rfc3339),
            ),
            _ => {}
        }
        let before_cycle = before.filter(|_| same_cycle);
        if row.warned_at.is_some() && before_cycle.and_then(|b| b.warned_at).is_none() {
            event(
                row.warned_at.unwrap_or_default(),
                EventKind::SlaWarning,
                clock.target,
                None,
                row.due_at.map(rfc3339),
            );
        }
        if let Some(at) = row
            .breached_at
            .filter(|_| before_cycle.and_then(|b| b.breached_at).is_none())
        {
            event(at, EventKind::SlaBreached, clock.target, None, None);
        }
        if let Some(at) = row
            .met_at
            .filter(|_| before_cycle.and_then(|b| b.met_at).is_none())
        {
            event(at, EventKind::SlaMet, clock.target, None, None);
        }
        if row.state == "running" {
            let ahead = |t: &i64| *t > now.as_micros();
            if let Some(warn) = row
                .warn_at
                .filter(|_| row.warned_at.is_none())
                .filter(ahead)
            {
                timers.push((
                    warn,
                    format!(
                        "sla:{ticket_id}:{}:{}:warn:{warn}",
                        row.target, row.started_at
                    ),
                ));
            }
            if let Some(due) = row.due_at.filter(ahead) {
                timers.push((
                    due,
                    format!(
                        "sla:{ticket_id}:{}:{}:due:{due}",
                        row.target, row.started_at
                    ),
                ));
            }
        }
        // A breach a ticket change noticed (or a policy change made) is escalated by a timer
        // job, like one that fell due on its own.
        if escalates
            && !by_timer
            && row.breached_at.is_some()
            && row.met_at.is_none()
            && row.escalated_at.is_none()
        {
            timers.push((
                now.as_micros(),
                format!(
                    "sla:{ticket_id}:{}:{}:escalate:{}",
                    row.target,
                    row.started_at,
                    row.breached_at.unwrap_or_default()
                ),
            ));
        }
        if before != Some(&row) {
            c.put_ticket_sla(&row).await?;
        }
        rows.push(row);
    }
    let summary = rows.iter().fold(SlaSummary::default(), |s, r| SlaSummary {
        due_at: s.due_at.into_iter().chain(r.due_at).min(),
        breached: s.breached || r.breached_at.is_some(),
    });
    let shown = SlaSummary {
        due_at: ticket.sla.due_at.map(Timestamp::as_micros),
        breached: ticket.sla.breached,
    };
    if summary != shown {
        c.set_ticket_sla_summary(ticket_id, summary).await?;
    }
    for (target, _) in stored
        .iter()
        .filter(|(t, _)| !clocks.iter().any(|c| c.target.as_str() == *t))
    {
        if let Some(t) = Target::ALL.into_iter().find(|t| t.as_str() == target) {
            event(now.as_micros(), EventKind::SlaCancelled, t, None, None);
        }
        c.delete_ticket_sla(ticket_id, target).await?;
    }
    events.sort_by_key(|e| e.at);
    for e in &events {
        c.insert_event(e).await?;
    }
    for (run_at, dedup) in timers {
        let job = NewJob {
            kind: TIMER_JOB.to_owned(),
            payload: ticket_id.to_string(),
            dedup_key: Some(dedup),
            run_at,
            max_attempts: 10,
        };
        c.enqueue_job(&job, now.as_micros()).await?;
    }
    Ok(summary.due_at.filter(|_| summary.due_at != shown.due_at))
}

/// The stored form of `clock`, keeping when a warning was already given in this cycle.
fn next_row(
    ticket_id: i64,
    policy_id: i64,
    clock: &TargetClock,
    before: Option<&TicketSlaRow>,
    now: Timestamp,
) -> TicketSlaRow {
    let micros = |t: Option<Timestamp>| t.map(Timestamp::as_micros);
    let same_cycle = before.filter(|b| b.started_at == clock.started_at.as_micros());
    let warned_at = same_cycle.and_then(|b| b.warned_at).or_else(|| {
        micros(clock.warn_at)
            .filter(|w| *w <= now.as_micros() && clock.met_at.is_none_or(|m| m.as_micros() >= *w))
    });
    // An escalation belongs to its breach: under a policy that lifts the breach, it goes too.
    let escalated_at = same_cycle
        .and_then(|b| b.escalated_at)
        .filter(|_| clock.breached_at.is_some());
    TicketSlaRow {
        ticket_id,
        target: clock.target.as_str().to_owned(),
        policy_id,
        state: clock.state.as_str().to_owned(),
        goal: clock.goal,
        elapsed: clock.elapsed,
        started_at: clock.started_at.as_micros(),
        due_at: micros(clock.due_at),
        warn_at: micros(clock.warn_at),
        met_at: micros(clock.met_at),
        breached_at: micros(clock.breached_at),
        warned_at,
        updated_at: before
            .filter(|b| b.state == clock.state.as_str() && b.due_at == micros(clock.due_at))
            .map_or(now.as_micros(), |b| b.updated_at),
        escalated_at,
    }
}

/// The policy that applies to the ticket, with its calendar.
fn applicable<'p>(
    t: &Ticket,
    policies: &'p [(PolicyRow, Policy, Calendar)],
) -> Result<Option<&'p (PolicyRow, Policy, Calendar)>> {
    let facts = Facts {
        priority: t.record.priority,
        ticket_type: t.record.ticket_type,
        category: t.category_path.as_deref(),
        organization: t.organization_name.as_deref(),
        channel: t.record.channel.as_str(),
    };
    Ok(policies
        .iter()
        .find(|(_, p, _)| p.conditions.matches(&facts)))
}

/// The trail as SLA clocks read it.
fn moments(history: &[HistoryRow]) -> Vec<Moment> {
    history
        .iter()
        .filter_map(|h| {
            let what = match (h.kind.as_str(), h.field.as_deref()) {
                ("created", _) => Happening::Opened,
                ("field_changed", Some("status")) => {
                    Happening::StatusChanged(Status::parse("status", h.new_value.as_deref()?).ok()?)
                }
                ("replied", Some(role)) => match Role::parse(role).ok()? {
                    Role::Requester => Happening::RequesterReplied,
                    _ => Happening::AgentReplied,
                },
                _ => return None,
            };
            Some(Moment {
                at: Timestamp::from_micros(h.at),
                what,
            })
        })
        .collect()
}

fn rfc3339(micros: i64) -> String {
    Timestamp::from_micros(micros).to_rfc3339()
}
