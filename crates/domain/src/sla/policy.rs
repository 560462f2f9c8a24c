//! SLA policies: conditions that pick the policy for a ticket (first match in an ordered
//! list wins), the targets it sets in business minutes, when its clocks pause, and what
//! happens when a target breaches (escalation).

use serde::{Deserialize, Serialize};

use crate::{CalendarId, DomainError, Priority, SlaPolicyId, Status, TicketType, Timestamp};

/// What a policy's conditions look at. An empty list in [`Conditions`] matches anything.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub priority: Priority,
    pub ticket_type: TicketType,
    pub category: Option<&'a str>,
    pub organization: Option<&'a str>,
    pub channel: &'a str,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Conditions {
    pub priorities: Vec<Priority>,
    pub types: Vec<TicketType>,
    /// Category paths; a ticket filed below one matches it too.
    pub categories: Vec<String>,
    pub organizations: Vec<String>,
    pub channels: Vec<String>,
}

impl Conditions {
    pub fn matches(&self, facts: &Facts<'_>) -> bool {
        let any = |list: &[String], value: Option<&str>, below: bool| {
            list.is_empty()
                || value.is_some_and(|v| {
                    list.iter().any(|want| {
                        v == want
                            || below
                                && v.strip_prefix(want.as_str())
                                    .is_some_and(|r| r.starts_with('/'))
                    })
                })
        };
        (self.priorities.is_empty() || self.priorities.contains(&facts.priority))
            && (self.types.is_empty() || self.types.contains(&facts.ticket_type))
            && any(&self.categories, facts.category, true)
            && any(&self.organizations, facts.organization, false)
            && any(&self.channels, Some(facts.channel), false)
    }
}

/// Targets in business minutes; a target left out is not measured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Targets {
    pub first_response: Option<u32>,
    /// After each requester reply, until the desk answers.
    pub next_response: Option<u32>,
    pub resolution: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub name: String,
    #[serde(default)]
    pub conditions: Conditions,
    pub targets: Targets,
    /// Statuses in which every clock stops (waiting on the requester or a third party).
    #[serde(default = "default_pause")]
    pub pause_when: Vec<Status>,
    /// Share of a target, in percent, at which a warning goes out.
    #[serde(default = "default_warn")]
    pub warn_at_percent: u8,
    /// What happens when a target breaches; nothing beyond the breach event when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalation: Option<Escalation>,
}

/// A policy as configured: its place in the order policies are tried in, and the calendar
/// its targets count in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRecord {
    pub id: SlaPolicyId,
    pub position: i64,
    pub calendar_id: CalendarId,
    pub policy: Policy,
    pub created_at: Timestamp,
}

/// Who hears of a breach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Notify {
    /// The agent the ticket is assigned to.
    Assignee,
    /// The members of the ticket's group (before and after a move).
    Group,
    /// Every active manager of the desk.
    Manager,
}

/// The actions taken once when a target breaches.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Escalation {
    pub notify: Vec<Notify>,
    /// The name of the group the ticket moves to (the next tier).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub move_to_group: Option<String>,
    /// One step more urgent (P3 becomes P2), which may bring another policy into force.
    pub raise_priority: bool,
}

impl Escalation {
    pub fn validate(&self) -> Result<(), DomainError> {
        if self
            .move_to_group
            .as_deref()
            .is_some_and(|g| g.trim().is_empty())
        {
            return Err(DomainError::new(
                "escalation.move_to_group",
                "must name a group",
            ));
        }
        if self.notify.is_empty() && self.move_to_group.is_none() && !self.raise_priority {
            return Err(DomainError::new(
                "escalation",
                "name at least one action: notify, move_to_group or raise_priority",
            ));
        }
        Ok(())
    }
}

fn default_pause() -> Vec<Status> {
    vec![Status::Pending, Status::OnHold]
}

fn default_warn() -> u8 {
    75
}

impl Policy {
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.name.trim().is_empty() {
            return Err(DomainError::new("name", "must not be empty"));
        }
        if !(1..=99).contains(&self.warn_at_percent) {
            return Err(DomainError::new(
                "warn_at_percent",
                "must be between 1 and 99",
            ));
        }
        let t = self.targets;
        if [t.first_response, t.next_response, t.resolution]
            .iter()
            .all(Option::is_none)
        {
            return Err(DomainError::new("targets", "set at least one target"));
        }
        if [t.first_response, t.next_response, t.resolution].contains(&Some(0)) {
            return Err(DomainError::new(
                "targets",
                "a target must be at least one minute",
            ));
        }
        if self
            .pause_when
            .iter()
            .any(|s| matches!(s, Status::New | Status::Open))
        {
            return Err(DomainError::new(
                "pause_when",
                "only pending, on_hold, resolved or closed can pause",
            ));
        }
        self.escalation
            .as_ref()
            .map_or(Ok(()), Escalation::validate)
    }
}

/// The first policy whose conditions match.
pub fn choose<'p>(policies: &'p [Policy], facts: &Facts<'_>) -> Option<&'p Policy> {
    policies.iter().find(|p| p.conditions.matches(facts))
}
