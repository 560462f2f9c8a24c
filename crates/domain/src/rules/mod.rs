//! Automation rules: what an administrator writes ("when a ticket is created / updated / has
//! waited this long, and these conditions hold, do these things"), checked for sense when it
//! is written, and run in order over a ticket's facts (`run`).
//!
//! Running is pure: it takes the ticket as [`Facts`] and returns which rules fired and the
//! facts as their field actions left them. The core turns that into row changes, comments,
//! jobs and audit events in the operation's own transaction.

mod condition;
mod record;
mod run;

pub use condition::{Condition, Facts, Field, Op, Operand, UPDATE_KINDS};
pub use record::RuleRecord;
pub use run::{Fired, MAX_FIRED, run};

use serde::{Deserialize, Serialize};

use crate::{DomainError, Email, Priority, Status, Tag, TicketType};

/// When a rule is considered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    Created,
    Updated,
    /// By the periodic scan, once a ticket's [`TimeCondition`] holds.
    Time,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Created => "created",
            Trigger::Updated => "updated",
            Trigger::Time => "time",
        }
    }
}

/// The instant a time rule measures from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Since {
    CreatedAt,
    /// The last change of any kind (a reply, a status change, an edit).
    UpdatedAt,
    /// The last change of status ("pending for three days"); the creation until then.
    StatusChangedAt,
    /// The last public reply from the requester's side; the creation until then.
    RequesterRepliedAt,
    /// The last public reply from the desk (rules' own replies do not count); the creation
    /// until then.
    AgentRepliedAt,
    /// The ticket's SLA due time: the earliest target still counting. A ticket with nothing
    /// counting (all met, or paused) has none and is not considered.
    SlaDueAt,
}

impl Since {
    pub const ALL: [Since; 6] = [
        Since::UpdatedAt,
        Since::CreatedAt,
        Since::StatusChangedAt,
        Since::RequesterRepliedAt,
        Since::AgentRepliedAt,
        Since::SlaDueAt,
    ];

    pub fn parse(s: &str) -> Option<Since> {
        Since::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// How people read the instant: "… since its status last changed".
    pub fn words(self) -> &'static str {
        match self {
            Since::CreatedAt => "it was created",
            Since::UpdatedAt => "its last change",
            Since::StatusChangedAt => "its status last changed",
            Since::RequesterRepliedAt => "the requester's last reply",
            Since::AgentRepliedAt => "the desk's last reply",
            Since::SlaDueAt => "its SLA due time",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Since::CreatedAt => "created_at",
            Since::UpdatedAt => "updated_at",
            Since::StatusChangedAt => "status_changed_at",
            Since::RequesterRepliedAt => "requester_replied_at",
            Since::AgentRepliedAt => "agent_replied_at",
            Since::SlaDueAt => "sla_due_at",
        }
    }
}

/// "For at least `minutes` since `since`": a time rule fires once a ticket gets there, and
/// once per such period (a later change starts a new one when `since` is `updated_at`).
/// With `before` (only for `sla_due_at`) it fires `minutes` before the instant instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeCondition {
    pub since: Since,
    pub minutes: u32,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub before: bool,
}

impl TimeCondition {
    /// How far the instant lies from "now" when the rule comes due, in minutes (negative:
    /// the instant is still ahead).
    pub fn offset_minutes(&self) -> i64 {
        let m = i64::from(self.minutes);
        if self.before { -m } else { m }
    }
}

/// Who a `notify` action tells.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recipient {
    Assignee,
    Requester,
    /// Every member of the ticket's group.
    Group,
    /// Every manager of the desk.
    Managers,
    /// One person, by email.
    #[serde(untagged)]
    Person(String),
}

impl Recipient {
    /// As a rule names it: the role, or the person's email.
    pub fn name(&self) -> &str {
        match self {
            Recipient::Assignee => "assignee",
            Recipient::Requester => "requester",
            Recipient::Group => "group",
            Recipient::Managers => "managers",
            Recipient::Person(e) => e,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    SetStatus {
        value: Status,
    },
    SetPriority {
        value: Priority,
    },
    SetType {
        value: TicketType,
    },
    /// A group's name; `null` clears it.
    SetGroup {
        value: Option<String>,
    },
    /// An agent's email; `null` clears it.
    SetAssignee {
        value: Option<String>,
    },
    /// A category path; `null` clears it.
    SetCategory {
        value: Option<String>,
    },
    AddTags {
        tags: Vec<String>,
    },
    /// An internal note, written as the rule's author.
    AddNote {
        body: String,
    },
    /// A public reply, written as the rule's author.
    Reply {
        body: String,
    },
    Notify {
        recipients: Vec<Recipient>,
    },
    /// POSTs the ticket as JSON to `url`, retried with backoff until it answers 2xx.
    Webhook {
        url: String,
    },
}

impl Action {
    /// How the audit trail names what the action did.
    pub fn describe(&self) -> String {
        let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".into());
        match self {
            Action::SetStatus { value } => format!("status: {}", value.as_str()),
            Action::SetPriority { value } => format!("priority: {}", value.as_str()),
            Action::SetType { value } => format!("type: {}", value.as_str()),
            Action::SetGroup { value } => format!("group: {}", opt(value)),
            Action::SetAssignee { value } => format!("assignee: {}", opt(value)),
            Action::SetCategory { value } => format!("category: {}", opt(value)),
            Action::AddTags { tags } => format!("tags: +{}", tags.join(",+")),
            Action::AddNote { .. } => "internal note".into(),
            Action::Reply { .. } => "public reply".into(),
            Action::Notify { recipients } => {
                let who: Vec<&str> = recipients.iter().map(Recipient::name).collect();
                format!("notify: {}", who.join(","))
            }
            Action::Webhook { url } => format!("webhook: {url}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub name: String,
    pub trigger: Trigger,
    /// All must hold; none means every ticket.
    #[serde(default)]
    pub conditions: Vec<Condition>,
    /// Required for, and only for, time rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<TimeCondition>,
    pub actions: Vec<Action>,
    /// Later rules are not considered once this one fired.
    #[serde(default)]
    pub stop: bool,
    #[serde(default = "enabled")]
    pub enabled: bool,
}

fn enabled() -> bool {
    true
}

/// Most actions in one rule, and longest note or reply.
const MAX_ACTIONS: usize = 20;
const MAX_BODY: usize = 20_000;

impl Rule {
    /// Every way the rule makes no sense on its own; names it refers to (groups, agents,
    /// categories) are checked against the desk by the core.
    pub fn validate(&self) -> Result<(), Vec<DomainError>> {
        let mut errors = Vec::new();
        let mut bad = |field: &str, message: String| errors.push(DomainError::new(field, message));
        if let Some(m) = self.name_problem() {
            bad("name", m);
        }
        if let Some((field, m)) = self.time_problem() {
            bad(field, m);
        }
        for (i, c) in self.conditions.iter().enumerate() {
            if let Err(e) = c.validate(self.trigger) {
                bad(&format!("conditions[{i}].{}", e.field), e.message);
            }
        }
        if self.actions.is_empty() || self.actions.len() > MAX_ACTIONS {
            bad("actions", format!("give 1 to {MAX_ACTIONS} actions"));
        }
        for (i, a) in self.actions.iter().enumerate() {
            for m in a.problems() {
                bad(&format!("actions[{i}]"), m);
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    fn name_problem(&self) -> Option<String> {
        let name = self.name.trim();
        (name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control))
            .then(|| "must be 1 to 100 characters".into())
    }

    /// A time condition is required for, and only for, time rules.
    fn time_problem(&self) -> Option<(&'static str, String)> {
        match (self.trigger, &self.time) {
            (Trigger::Time, None) => Some(("time", "a time rule needs a time condition".into())),
            (Trigger::Time, Some(t)) if t.minutes == 0 && !t.before => {
                Some(("time.minutes", "must be at least 1".into()))
            }
            (Trigger::Time, Some(t)) if t.before && t.since != Since::SlaDueAt => Some((
                "time.before",
                "only the SLA due time (sla_due_at) lies ahead: measure before it only".into(),
            )),
            (Trigger::Created | Trigger::Updated, Some(_)) => {
                Some(("time", "only time rules have a time condition".into()))
            }
            _ => None,
        }
    }
}

impl Action {
    /// What is wrong with the action on its own, in the order found.
    fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        match self {
            Action::AddTags { tags } => {
                if tags.is_empty() {
                    out.push("name at least one tag".into());
                }
                out.extend(
                    tags.iter()
                        .filter_map(|t| Tag::parse(t).err())
                        .map(|e| e.message),
                );
            }
            Action::AddNote { body } | Action::Reply { body }
                if body.trim().is_empty() || body.len() > MAX_BODY =>
            {
                out.push(format!("the body must be 1 to {MAX_BODY} bytes"));
            }
            Action::Notify { recipients } => {
                if recipients.is_empty() {
                    out.push("name at least one recipient".into());
                }
                out.extend(
                    recipients
                        .iter()
                        .filter_map(|r| match r {
                            Recipient::Person(e) => Email::parse("recipients", e).err(),
                            _ => None,
                        })
                        .map(|e| e.message),
                );
            }
            Action::Webhook { url } => out.extend(check_url(url).err()),
            Action::SetAssignee { value: Some(e) } => {
                out.extend(Email::parse("assignee", e).err().map(|e| e.message));
            }
            Action::SetCategory { value: Some(p) } => {
                out.extend(
                    crate::CategoryPath::parse("category", p)
                        .err()
                        .map(|e| e.message),
                );
            }
            _ => {}
        }
        out
    }
}

fn check_url(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or("a webhook URL starts with http:// or https://")?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || url.len() > 2000 || url.chars().any(|c| c.is_whitespace()) {
        return Err("not a valid URL".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests;
