//! Reconciling a ticket's SLA state: replay the trail under the policy that applies, record
//! each transition as an event at its exact time, store the new state and the ticket's queue
//! summary (earliest due time, breached), and queue the timers for the next warning and due
//! time, and for a breach still to be escalated.

use std::collections::HashMap;

use frontline_domain::sla::{self, ClockState, Facts, SlaSummary, SlaTarget, Target, TargetClock};
use frontline_domain::{EventId, EventKind, EventRecord, SlaPolicyId, Ticket, TicketId, Timestamp};
use frontline_store::Conn;
use frontline_store::jobs::NewJob;

use super::{InForce, TIMER_JOB};
use crate::Result;

/// See [`Sla::reconcile_sla`]; `by_timer` when the SLA timer runs it (and escalates).
/// Returns the ticket's new due time when it moved (time rules on it may need a job).
pub(super) async fn reconcile(
    c: &mut Conn<'_>,
    ticket_id: TicketId,
    now: Timestamp,
    policies: &[InForce],
    stored: HashMap<Target, SlaTarget>,
    by_timer: bool,
) -> Result<Option<i64>> {
    // Only the fields and the names the policies' conditions read.
    let Some(ticket) = c.ticket_view_bare(ticket_id).await? else {
        return Ok(None);
    };
    let replayed = replay(c, &ticket, policies, now).await?;
    let mut record = Record::new(ticket_id, now);
    let mut targets = Vec::new();
    for clock in &replayed.clocks {
        let before = stored.get(&clock.target);
        let target = next_target(ticket_id, replayed.policy_id, clock, before, now);
        record.transitions(replayed.policy_id, clock, before, &target);
        record.timers(&target, replayed.escalates && !by_timer);
        if before != Some(&target) {
            c.put_ticket_sla(&target).await?;
        }
        targets.push(target);
    }
    let summary = SlaSummary::of(&targets);
    let was = ticket.sla;
    if summary != was {
        c.set_ticket_sla_summary(ticket_id, summary).await?;
    }
    cancel_dropped(c, &mut record, &stored, &replayed.clocks).await?;
    record.write(c).await?;
    Ok(summary
        .due_at
        .filter(|_| summary.due_at != was.due_at)
        .map(Timestamp::as_micros))
}

/// The clocks of the policy that applies now, replayed from the ticket's trail.
struct Replayed {
    /// 0 when no policy applies (and there are no clocks).
    policy_id: SlaPolicyId,
    /// The policy escalates a breach.
    escalates: bool,
    clocks: Vec<TargetClock>,
}

async fn replay(
    c: &mut Conn<'_>,
    ticket: &Ticket,
    policies: &[InForce],
    now: Timestamp,
) -> Result<Replayed> {
    let Some(p) = applicable(ticket, policies)? else {
        return Ok(Replayed {
            policy_id: SlaPolicyId::default(),
            escalates: false,
            clocks: Vec::new(),
        });
    };
    let history = c.sla_history(ticket.record.id).await?;
    Ok(Replayed {
        policy_id: p.id(),
        escalates: p.policy().escalation.is_some(),
        clocks: sla::evaluate(p.policy(), &p.calendar, &history, now),
    })
}

/// Stored targets the policy in force no longer sets are cancelled and removed.
async fn cancel_dropped(
    c: &mut Conn<'_>,
    record: &mut Record,
    stored: &HashMap<Target, SlaTarget>,
    clocks: &[TargetClock],
) -> Result<()> {
    for &target in stored.keys() {
        if clocks.iter().any(|k| k.target == target) {
            continue;
        }
        record.event(record.now, EventKind::SlaCancelled, target, None, None);
        c.delete_ticket_sla(record.ticket_id, target).await?;
    }
    Ok(())
}

/// What the reconcile writes besides the targets: events at their exact times, and timer
/// jobs under dedup keys naming the ticket, target, cycle and instant.
struct Record {
    ticket_id: TicketId,
    now: Timestamp,
    events: Vec<EventRecord>,
    timers: Vec<(Timestamp, String)>,
}

impl Record {
    fn new(ticket_id: TicketId, now: Timestamp) -> Self {
        Self {
            ticket_id,
            now,
            events: Vec::new(),
            timers: Vec::new(),
        }
    }

    /// An SLA event about `target`; `old` and `new` are due times.
    fn event(
        &mut self,
        at: Timestamp,
        kind: EventKind,
        target: Target,
        old: Option<Timestamp>,
        new: Option<Timestamp>,
    ) {
        self.events.push(EventRecord {
            id: EventId::default(),
            ticket_id: self.ticket_id,
            actor_id: None,
            at,
            kind,
            field: Some(target.as_str().to_owned()),
            old_value: old.map(Timestamp::to_rfc3339),
            new_value: new.map(Timestamp::to_rfc3339),
            internal: false,
        });
    }

    /// The transitions from `before` to `now` of one target: a new cycle or policy, a pause
    /// or resumption, and the warning, breach and met that happened since.
    fn transitions(
        &mut self,
        policy_id: SlaPolicyId,
        clock: &TargetClock,
        before: Option<&SlaTarget>,
        now: &SlaTarget,
    ) {
        let t = clock.target;
        let same_cycle = before.filter(|b| b.started_at == now.started_at);
        match (before, same_cycle) {
            (_, None) => self.event(now.started_at, EventKind::SlaStarted, t, None, now.due_at),
            (Some(b), Some(_)) if b.policy_id != policy_id => self.event(
                self.now,
                EventKind::SlaPolicyChanged,
                t,
                b.due_at,
                now.due_at,
            ),
            _ => {}
        }
        match (same_cycle.map(|b| b.state), clock.state) {
            (Some(ClockState::Running), ClockState::Paused) => {
                self.event(self.now, EventKind::SlaPaused, t, None, None)
            }
            (Some(ClockState::Paused), ClockState::Running) => {
                self.event(self.now, EventKind::SlaResumed, t, None, now.due_at)
            }
            _ => {}
        }
        let new = |at: Option<Timestamp>, was: fn(&SlaTarget) -> Option<Timestamp>| {
            at.filter(|_| same_cycle.and_then(was).is_none())
        };
        if let Some(at) = new(now.warned_at, |b| b.warned_at) {
            self.event(at, EventKind::SlaWarning, t, None, now.due_at);
        }
        if let Some(at) = new(now.breached_at, |b| b.breached_at) {
            self.event(at, EventKind::SlaBreached, t, None, None);
        }
        if let Some(at) = new(now.met_at, |b| b.met_at) {
            self.event(at, EventKind::SlaMet, t, None, None);
        }
    }

    /// The timers `target` needs: its warning and due time while it runs, and with
    /// `escalate` an immediate one for a breach still to be escalated (a breach a ticket
    /// change noticed, or a policy change made, is escalated by a timer job like one that
    /// fell due on its own).
    fn timers(&mut self, target: &SlaTarget, escalate: bool) {
        let key = |what: &str, at: Timestamp| {
            format!(
                "sla:{}:{}:{}:{what}:{}",
                self.ticket_id,
                target.target.as_str(),
                target.started_at.as_micros(),
                at.as_micros()
            )
        };
        let mut due = Vec::new();
        if target.state == ClockState::Running {
            let ahead = |t: &Timestamp| *t > self.now;
            if let Some(warn) = target
                .warn_at
                .filter(|_| target.warned_at.is_none())
                .filter(ahead)
            {
                due.push((warn, key("warn", warn)));
            }
            if let Some(at) = target.due_at.filter(ahead) {
                due.push((at, key("due", at)));
            }
        }
        if escalate
            && target.awaits_escalation()
            && let Some(breached) = target.breached_at
        {
            due.push((self.now, key("escalate", breached)));
        }
        self.timers.extend(due);
    }

    /// Writes the events in time order and queues the timers.
    async fn write(mut self, c: &mut Conn<'_>) -> Result<()> {
        self.events.sort_by_key(|e| e.at);
        for e in &self.events {
            c.insert_event(e).await?;
        }
        for (run_at, dedup) in self.timers {
            let job = NewJob {
                kind: TIMER_JOB.to_owned(),
                payload: self.ticket_id.to_string(),
                dedup_key: Some(dedup),
                run_at: run_at.as_micros(),
                max_attempts: 10,
            };
            c.enqueue_job(&job, self.now.as_micros()).await?;
        }
        Ok(())
    }
}

/// The stored form of `clock`, keeping when a warning was already given in this cycle.
fn next_target(
    ticket_id: TicketId,
    policy_id: SlaPolicyId,
    clock: &TargetClock,
    before: Option<&SlaTarget>,
    now: Timestamp,
) -> SlaTarget {
    let same_cycle = before.filter(|b| b.started_at == clock.started_at);
    let warned_at = same_cycle.and_then(|b| b.warned_at).or_else(|| {
        clock
            .warn_at
            .filter(|w| *w <= now && clock.met_at.is_none_or(|m| m >= *w))
    });
    // An escalation belongs to its breach: under a policy that lifts the breach, it goes too.
    let escalated_at = same_cycle
        .and_then(|b| b.escalated_at)
        .filter(|_| clock.breached_at.is_some());
    SlaTarget {
        ticket_id,
        target: clock.target,
        policy_id,
        state: clock.state,
        goal: clock.goal,
        elapsed: clock.elapsed,
        started_at: clock.started_at,
        due_at: clock.due_at,
        warn_at: clock.warn_at,
        met_at: clock.met_at,
        breached_at: clock.breached_at,
        warned_at,
        updated_at: before
            .filter(|b| b.state == clock.state && b.due_at == clock.due_at)
            .map_or(now, |b| b.updated_at),
        escalated_at,
    }
}

/// The policy that applies to the ticket, with its calendar.
fn applicable<'p>(t: &Ticket, policies: &'p [InForce]) -> Result<Option<&'p InForce>> {
    let facts = Facts {
        priority: t.record.priority,
        ticket_type: t.record.ticket_type,
        category: t.category_path.as_deref(),
        organization: t.organization_name.as_deref(),
        channel: t.record.channel.as_str(),
    };
    Ok(policies
        .iter()
        .find(|p| p.policy().conditions.matches(&facts)))
}
