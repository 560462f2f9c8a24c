//! SLA management: calendars and policies (configured by managers), and the SLA state of each
//! ticket, brought up to date inside every operation that changes a ticket and again when an
//! SLA timer fires.
//!
//! `reconcile` is the one place that writes SLA state. It replays the ticket's trail under the
//! policy that applies (`frontline_domain::sla`), compares with what was stored, records every
//! transition (started, paused, resumed, met, warning, breach, cancelled, policy changed) as
//! an event at its exact time, stores the new state, and queues a timer job for the next
//! warning and breach. A stored `warned_at` / `breached_at` makes each of those happen once,
//! whether a timer or a ticket change notices it first. `escalate` carries out a breach's
//! escalation, in the timer job only (once per breach, by the stored `escalated_at`); an
//! escalation that changes the ticket runs the updated rules once, like any other change.

use std::collections::HashMap;
use std::sync::Arc;

use frontline_domain::sla::{Policy, PolicyRecord, SlaTarget, Target};
use frontline_domain::{Calendar, CalendarId, SlaPolicyId, TicketId, Timestamp};
use frontline_store::{Conn, StoreError};

use crate::{Actor, CoreError, Result, Sla};

mod edit;
mod escalate;
mod reconcile;
mod standing;

pub use standing::{TargetInForce, TicketSlaNow};

/// The job kind of SLA timers; its payload is the ticket number.
pub const TIMER_JOB: &str = "sla.timer";

/// A policy ready to apply: as configured, with the calendar its targets count in.
#[derive(Debug)]
pub(crate) struct InForce {
    pub record: PolicyRecord,
    pub calendar: Calendar,
}

impl InForce {
    pub fn id(&self) -> SlaPolicyId {
        self.record.id
    }

    pub fn policy(&self) -> &Policy {
        &self.record.policy
    }
}

/// The policies in order, each with its calendar.
/// Only this module reads or forgets the policies.
#[derive(Default)]
pub(crate) struct PolicyCache(crate::cache::Cached<Vec<InForce>>);

impl PolicyCache {
    /// The policies, read again when the cached ones are older than the cache's TTL.
    async fn get(&self, c: &mut Conn<'_>) -> Result<Arc<Vec<InForce>>> {
        if let Some(loaded) = self.0.fresh() {
            return Ok(loaded);
        }
        let calendars = c.calendars().await?;
        let policies = c
            .sla_policies()
            .await?
            .into_iter()
            .map(|record| InForce {
                calendar: calendars
                    .iter()
                    .find(|k| k.id == record.calendar_id)
                    .map_or_else(Calendar::always, |k| k.calendar.clone()),
                record,
            })
            .collect();
        Ok(self.0.put(policies))
    }

    fn forget(&self) {
        self.0.forget();
    }
}

/// A policy as configured: its place in the order, its calendar, and its rules.
#[derive(Debug, Clone)]
pub struct ConfiguredPolicy {
    pub id: SlaPolicyId,
    pub position: i64,
    pub calendar: String,
    pub policy: Policy,
}

impl Sla {
    /// The calendars, for the desk's staff.
    pub async fn calendars(&self, actor: &Actor) -> Result<Vec<(String, Calendar)>> {
        actor.require_staff()?;
        let mut pc = self.core.store.read().await?;
        Ok(pc
            .conn()
            .calendars()
            .await?
            .into_iter()
            .map(|k| (k.name, k.calendar))
            .collect())
    }

    pub async fn add_calendar(&self, actor: &Actor, name: &str, calendar: &Calendar) -> Result<()> {
        actor.require_configure()?;
        let name = required_name(name)?;
        let mut tx = self.core.begin().await?;
        tx.conn()
            .insert_calendar(name, calendar, self.core.now())
            .await
            .map_err(|e| duplicate(e, "a calendar with that name exists"))?;
        tx.commit().await?;
        self.core.sla_policies.forget();
        Ok(())
    }

    /// The policies in the order they are tried, for the desk's staff.
    pub async fn sla_policies(&self, actor: &Actor) -> Result<Vec<ConfiguredPolicy>> {
        actor.require_staff()?;
        let mut pc = self.core.store.read().await?;
        let mut c = pc.conn();
        let calendars: HashMap<CalendarId, String> = c
            .calendars()
            .await?
            .into_iter()
            .map(|r| (r.id, r.name))
            .collect();
        Ok(c.sla_policies()
            .await?
            .into_iter()
            .map(|r| ConfiguredPolicy {
                id: r.id,
                position: r.position,
                calendar: calendars.get(&r.calendar_id).cloned().unwrap_or_default(),
                policy: r.policy,
            })
            .collect())
    }

    /// Adds a policy after the existing ones; tickets pick it up at their next change.
    pub async fn add_sla_policy(
        &self,
        actor: &Actor,
        policy: &Policy,
        calendar: &str,
    ) -> Result<ConfiguredPolicy> {
        actor.require_configure()?;
        let mut tx = self.core.begin().await?;
        let mut c = tx.conn();
        let calendar_id = checked(&mut c, policy, calendar).await?;
        let (id, position) = c
            .insert_sla_policy(policy, calendar_id, self.core.now())
            .await
            .map_err(|e| duplicate(e, "a policy with that name exists"))?;
        tx.commit().await?;
        self.core.sla_policies.forget();
        Ok(ConfiguredPolicy {
            id,
            position,
            calendar: calendar.to_owned(),
            policy: policy.clone(),
        })
    }

    /// A ticket's SLA targets, as last brought up to date.
    pub async fn ticket_slas(&self, actor: &Actor, ticket_id: TicketId) -> Result<Vec<SlaTarget>> {
        self.tickets().ticket(actor, ticket_id).await?;
        let mut pc = self.core.store.read().await?;
        Ok(pc.conn().ticket_slas(ticket_id).await?)
    }

    /// What an SLA timer does: brings the ticket's SLA state up to date as of now, which
    /// records a warning or breach that fell due, and escalates a breach as its policy says.
    /// Runs in the job's own transaction.
    ///
    /// An escalation that changes the ticket is one change, like a person's edit: the move,
    /// the raised priority and the assignee the new group picks are saved under one new
    /// version, the updated rules run once over it (`update` is `sla_escalation`), and the SLA
    /// is reconciled once more under the policy that now applies. A breach that reconcile
    /// finds under a policy the raised priority brought in is not escalated here: it queues a
    /// timer of its own, a later change in its own transaction with its own run of the rules.
    ///
    /// So a chain of policies that raise each other takes one timer job a round, and ends:
    /// escalation only raises the priority (three steps from P4 to P1), and a target escalates
    /// once per cycle, as `escalated_at` stays with its breach when the policy changes, so a
    /// chain has at most one round per target. Rules that lower the priority again each
    /// round are stopped by their loop guard (`rules::LOOP_LIMIT`).
    pub async fn fire_sla_timer(&self, c: &mut Conn<'_>, ticket_id: TicketId) -> Result<()> {
        let now = self.core.now();
        // Locks the ticket as every change of it does, so a timer and a change take turns.
        if c.ticket_for_update(ticket_id).await?.is_none() {
            return Ok(());
        }
        self.reconcile_in(c, ticket_id, now, false, true).await?;
        let policies = self.core.sla_policies.get(c).await?;
        let before = match escalate::escalate(c, ticket_id, now, &policies).await? {
            escalate::Escalated::Changed { before } => before,
            escalate::Escalated::Nothing | escalate::Escalated::Notified => return Ok(()),
        };
        self.assignment()
            .assign_if_moved(c, ticket_id, before.record.group_id, now)
            .await?;
        let saved = c
            .ticket_row(ticket_id)
            .await?
            .ok_or(CoreError::NotFound("ticket"))?;
        let change = crate::rules::Change {
            before: &before,
            saved,
            kind: crate::rules::Update::SlaEscalation,
        };
        self.rules().ticket_changed(c, change, now).await?;
        self.reconcile_in(c, ticket_id, now, false, false).await
    }

    /// Brings ticket `ticket_id`'s SLA state up to date as of `now`, inside the caller's
    /// transaction. `fresh` says the ticket was created in it (nothing is stored yet).
    pub(crate) async fn reconcile_sla(
        &self,
        c: &mut Conn<'_>,
        ticket_id: TicketId,
        now: Timestamp,
        fresh: bool,
    ) -> Result<()> {
        self.reconcile_in(c, ticket_id, now, fresh, false).await
    }

    /// See [`Sla::reconcile_sla`]; `by_timer` says the SLA timer runs it, which escalates a
    /// breach itself instead of queueing a timer to do so.
    async fn reconcile_in(
        &self,
        c: &mut Conn<'_>,
        ticket_id: TicketId,
        now: Timestamp,
        fresh: bool,
        by_timer: bool,
    ) -> Result<()> {
        let policies = self.core.sla_policies.get(c).await?;
        let stored: HashMap<Target, SlaTarget> = if fresh {
            HashMap::new()
        } else {
            c.ticket_slas(ticket_id)
                .await?
                .into_iter()
                .map(|t| (t.target, t))
                .collect()
        };
        // A desk without SLA policies pays nothing more for them.
        if policies.is_empty() && stored.is_empty() {
            return Ok(());
        }
        let moved = reconcile::reconcile(c, ticket_id, now, &policies, stored, by_timer).await?;
        match moved {
            Some(due_at) => self.rules().due_time_moved(c, ticket_id, due_at, now).await,
            None => Ok(()),
        }
    }
}

/// Checks `policy` on its own and what it names against the desk (its escalation's group,
/// and `calendar`); returns the calendar's id.
async fn checked(c: &mut Conn<'_>, policy: &Policy, calendar: &str) -> Result<CalendarId> {
    policy.validate()?;
    if let Some(group) = policy
        .escalation
        .as_ref()
        .and_then(|e| e.move_to_group.as_deref())
        && c.group_by_name(group).await?.is_none()
    {
        return Err(CoreError::invalid(
            "escalation.move_to_group",
            format!("no group named {group:?}"),
        ));
    }
    let calendar_id = find_calendar(c, calendar)
        .await?
        .ok_or_else(|| CoreError::invalid("calendar", format!("no calendar named {calendar:?}")))?;
    Ok(calendar_id)
}

/// The id of the calendar named `name`, if there is one.
async fn find_calendar(c: &mut Conn<'_>, name: &str) -> Result<Option<CalendarId>> {
    Ok(c.calendars()
        .await?
        .into_iter()
        .find(|r| r.name == name)
        .map(|r| r.id))
}

fn required_name(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty() || name.len() > 200 {
        return Err(CoreError::invalid("name", "must be 1 to 200 characters"));
    }
    Ok(name)
}

fn duplicate(e: StoreError, message: &str) -> CoreError {
    match e {
        StoreError::Duplicate(_) => CoreError::Conflict(message.to_owned()),
        other => other.into(),
    }
}
