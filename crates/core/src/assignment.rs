//! Automatic assignment per group: manual (the default), round-robin, or least-loaded (open
//! tickets weighted by priority), among the group's agents who are available now (inside
//! their working hours, not out of office) and, when the ticket's category needs a skill,
//! have it. A ticket that enters such a group without an assignee gets one in the same
//! transaction (on creation, on a change, on an SLA escalation's move), recorded as an
//! `auto_assigned` event; with nobody eligible it stays unassigned. The pick is part of the
//! change that moved the ticket, so the updated rules that change runs see it: a person's
//! edit and an escalation run them once over the move and the pick together; a move made by
//! a rule's action is the rules' own change and runs none (`rules/mod.rs` says what runs
//! when).
//!
//! The modes of the groups that are not manual are cached per node like SLA policies, so a
//! desk that assigns by hand pays one cached read per ticket and no query.

use std::collections::HashMap;
use std::sync::Arc;

use frontline_domain::rules::Trigger;
use frontline_domain::{
    Availability, Calendar, CategoryId, CategoryPath, DomainError, Email, EventId, EventKind,
    EventRecord, GroupId, TicketId, TicketRecord, Timestamp, UserId,
};
use frontline_store::Conn;
use frontline_store::assignment::Candidate;
use serde::{Deserialize, Serialize};

use crate::tickets::fields;
use crate::{Actor, Assignment, CoreError, Result, rules};

mod availability;
pub use availability::AgentAvailability;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Manual,
    RoundRobin,
    LeastLoaded,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Manual => "manual",
            Mode::RoundRobin => "round_robin",
            Mode::LeastLoaded => "least_loaded",
        }
    }

    pub fn parse(text: &str) -> Result<Self, DomainError> {
        match text {
            "manual" => Ok(Mode::Manual),
            "round_robin" => Ok(Mode::RoundRobin),
            "least_loaded" => Ok(Mode::LeastLoaded),
            other => Err(DomainError::new(
                "mode",
                format!("{other:?} is not manual, round_robin or least_loaded"),
            )),
        }
    }
}

/// How much an open ticket of priority rank `rank` (1 = P1) weighs in an agent's load.
pub fn weight(rank: i64) -> i64 {
    match rank {
        1 => 8,
        2 => 4,
        3 => 2,
        _ => 1,
    }
}

/// Groups that assign automatically, by id.
/// Only this module reads or forgets the modes.
#[derive(Default)]
pub(crate) struct ModeCache(crate::cache::Cached<HashMap<GroupId, Mode>>);

impl ModeCache {
    async fn get(&self, c: &mut Conn<'_>) -> Result<Arc<HashMap<GroupId, Mode>>> {
        if let Some(m) = self.0.fresh() {
            return Ok(m);
        }
        let mut modes = HashMap::new();
        for (group, mode) in c.assignment_modes().await? {
            modes.insert(group, Mode::parse(&mode)?);
        }
        Ok(self.0.put(modes))
    }

    fn forget(&self) {
        self.0.forget();
    }
}

/// The agent automatic assignment picked.
#[derive(Debug, Clone)]
pub(crate) struct Pick {
    pub user_id: UserId,
    pub email: String,
    pub mode: Mode,
}

impl Pick {
    /// The `auto_assigned` event, for `ticket_id` (0 until known).
    pub fn event(&self, ticket_id: TicketId, at: Timestamp) -> EventRecord {
        EventRecord {
            id: EventId::default(),
            ticket_id,
            actor_id: None,
            at,
            kind: EventKind::AutoAssigned,
            field: Some(self.mode.as_str().to_owned()),
            old_value: None,
            new_value: Some(self.email.clone()),
            internal: false,
        }
    }
}

impl Assignment {
    /// The agent a ticket entering `group_id` without an assignee goes to, if the group
    /// assigns automatically and anyone is eligible. Round robin moves the group's place.
    pub(crate) async fn pick_assignee(
        &self,
        c: &mut Conn<'_>,
        group_id: GroupId,
        category_id: Option<CategoryId>,
        now: Timestamp,
    ) -> Result<Option<Pick>> {
        let modes = self.core.assignment.get(c).await?;
        let Some(&mode) = modes.get(&group_id) else {
            return Ok(None);
        };
        let skill = match category_id {
            Some(id) => c.category_skill(id).await?.unwrap_or_default(),
            None => String::new(),
        };
        let candidates: Vec<Candidate> = c
            .assignment_candidates(group_id, &skill)
            .await?
            .into_iter()
            .filter(|a| working(a, now))
            .collect();
        if candidates.is_empty() {
            return Ok(None);
        }
        let chosen = match mode {
            Mode::Manual => return Ok(None),
            Mode::RoundRobin => {
                let last = c.last_assignee(group_id).await?.unwrap_or(UserId::new(0));
                let next = candidates
                    .iter()
                    .find(|a| a.id > last)
                    .unwrap_or(&candidates[0]);
                c.set_last_assignee(group_id, next.id).await?;
                next
            }
            Mode::LeastLoaded => {
                let mut load: HashMap<UserId, i64> = HashMap::new();
                for (user, rank, count) in c.open_load(group_id).await? {
                    *load.entry(user).or_default() += weight(rank) * count;
                }
                candidates
                    .iter()
                    .min_by_key(|a| (load.get(&a.id).copied().unwrap_or(0), a.id))
                    .unwrap_or(&candidates[0])
            }
        };
        Ok(Some(Pick {
            user_id: chosen.id,
            email: chosen.email.clone(),
            mode,
        }))
    }

    /// After an SLA escalation: a ticket moved to another group without an assignee gets one
    /// as the new group assigns. Inside the timer's transaction, the ticket already locked and
    /// saved by the escalation: the pick belongs to that change and keeps its version, so the
    /// updated rules, run next over the whole change, see the move and the assignee at once.
    pub(crate) async fn assign_if_moved(
        &self,
        c: &mut Conn<'_>,
        ticket_id: TicketId,
        group_before: Option<GroupId>,
        now: Timestamp,
    ) -> Result<()> {
        let Some(mut t) = c.ticket_row(ticket_id).await? else {
            return Ok(());
        };
        let (Some(group), None) = (t.group_id, t.assignee_id) else {
            return Ok(());
        };
        if group_before == Some(group) {
            return Ok(());
        }
        let Some(pick) = self.pick_assignee(c, group, t.category_id, now).await? else {
            return Ok(());
        };
        t.assignee_id = Some(pick.user_id);
        t.times.updated_at = now;
        c.save_ticket(&t, t.version).await?;
        let mut change = pick.event(ticket_id, now);
        change.kind = EventKind::FieldChanged;
        change.field = Some("assignee".into());
        c.insert_event(&change).await?;
        c.insert_event(&pick.event(ticket_id, now)).await?;
        Ok(())
    }

    /// After the writer stored a new ticket and gave it the agent automatic assignment
    /// picked: the pick is a change of the ticket like any other (the created rules ran on
    /// the ticket as filed, before it), so the updated rules run once over it
    /// (`update` is `auto_assignment`). Returns the row as finally stored.
    pub(crate) async fn picked_on_creation(
        &self,
        c: &mut Conn<'_>,
        row: &TicketRecord,
        now: Timestamp,
    ) -> Result<TicketRecord> {
        // A desk without updated rules pays nothing more for them.
        if !self.rules().rule_set(c).await?.has(Trigger::Updated) {
            return Ok(row.clone());
        }
        let after = c
            .ticket_view(row.id)
            .await?
            .ok_or(CoreError::NotFound("ticket"))?;
        // Nothing but the assignee changed since the ticket was filed.
        let mut before = after.clone();
        before.record.assignee_id = None;
        before.assignee_email = None;
        let change = rules::Change {
            before: &before,
            saved: after.record,
            kind: rules::Update::AutoAssignment,
        };
        Ok(self.rules().ticket_changed(c, change, now).await?.row)
    }

    /// A group's mode, for the desk's staff.
    pub async fn group_assignment(&self, actor: &Actor, group: &str) -> Result<Mode> {
        actor.require_staff()?;
        let mut pc = self.core.store.read().await?;
        let mut c = pc.conn();
        let id = group_by_name(&mut c, group).await?;
        Ok(match c.assignment_mode(id).await? {
            Some(m) => Mode::parse(&m)?,
            None => Mode::Manual,
        })
    }

    /// Sets how a group assigns; managers and admins.
    pub async fn set_group_assignment(&self, actor: &Actor, group: &str, mode: Mode) -> Result<()> {
        actor.require_configure()?;
        let mut tx = self.core.begin().await?;
        let mut c = tx.conn();
        let id = group_by_name(&mut c, group).await?;
        c.set_assignment_mode(id, mode.as_str(), self.core.now().as_micros())
            .await?;
        tx.commit().await?;
        self.core.assignment.forget();
        tracing::info!(
            group_id = %id,
            mode = mode.as_str(),
            actor = %actor.id,
            "assignment mode set"
        );
        Ok(())
    }

    /// Sets an agent's working hours (a calendar's name; none means always), out-of-office
    /// flag and skills; managers and admins.
    pub async fn set_availability(
        &self,
        actor: &Actor,
        agent: &Email,
        calendar: Option<&str>,
        out_of_office: bool,
        skills: &[String],
    ) -> Result<()> {
        actor.require_configure()?;
        let mut skills: Vec<String> = skills.iter().map(|s| skill(s)).collect::<Result<_, _>>()?;
        skills.sort();
        skills.dedup();
        let mut tx = self.core.begin().await?;
        let mut c = tx.conn();
        let user = fields::staff(&mut c, "agent", agent).await?;
        let calendar_id = match calendar {
            Some(name) => Some(
                c.calendars()
                    .await?
                    .into_iter()
                    .find(|k| k.name == name)
                    .ok_or_else(|| CoreError::invalid("calendar", format!("no calendar {name:?}")))?
                    .id,
            ),
            None => None,
        };
        let row = Availability {
            user_id: user.id,
            calendar_id,
            out_of_office,
        };
        c.set_availability(&row, &skills, self.core.now().as_micros())
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets or clears the skill a category's tickets need; managers and admins.
    pub async fn set_category_skill(
        &self,
        actor: &Actor,
        category: &CategoryPath,
        needs: Option<&str>,
    ) -> Result<()> {
        actor.require_configure()?;
        let needs = needs.map(skill).transpose()?;
        let mut tx = self.core.begin().await?;
        let mut c = tx.conn();
        let id = fields::category_id(&mut c, category).await?;
        c.set_category_skill(id, needs.as_deref()).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A skill's name: lower case, 1 to 50 characters without spaces.
fn skill(s: &str) -> Result<String, DomainError> {
    let s = s.trim().to_lowercase();
    if s.is_empty()
        || s.chars().count() > 50
        || s.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(DomainError::new(
            "skills",
            "a skill is 1 to 50 characters without spaces",
        ));
    }
    Ok(s)
}

async fn group_by_name(c: &mut Conn<'_>, name: &str) -> Result<GroupId> {
    c.group_by_name(name)
        .await?
        .map(|g| g.id)
        .ok_or(CoreError::NotFound("group"))
}

/// Inside the agent's working hours (always, without a calendar). A calendar that no longer
/// reads counts as always, so a bad row cannot stop assignment.
fn working(a: &Candidate, now: Timestamp) -> bool {
    let Some(def) = &a.calendar else { return true };
    match serde_json::from_str::<Calendar>(def) {
        Ok(cal) => cal.is_business(now),
        Err(_) => true,
    }
}
