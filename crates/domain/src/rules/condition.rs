//! Conditions on a ticket's fields, its requester and its text, and the facts they are
//! checked against.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::Trigger;
use crate::{DomainError, Priority, Status, TicketType};

/// A ticket as rules see it: names people write in rules (group names, emails, category
/// paths), not ids.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    pub status: String,
    /// `P1` … `P4`.
    pub priority: String,
    pub ticket_type: String,
    pub category: Option<String>,
    pub group: Option<String>,
    pub assignee: Option<String>,
    pub organization: Option<String>,
    pub channel: String,
    pub tags: Vec<String>,
    pub custom: Map<String, Value>,
    /// The requester's email.
    pub requester: String,
    pub subject: String,
    pub description: String,
    /// Updated rules: what kind of change this was, from [`UPDATE_KINDS`] (a requester's
    /// reply may also have moved the status: conditions on `status` with `changed_to` say
    /// that). Empty for created and time rules.
    pub update: Vec<String>,
}

/// The kinds of change an updated rule can ask about with the `update` field.
pub const UPDATE_KINDS: [&str; 9] = [
    // A public reply from the requester's side (the requester, a watcher, a mail from
    // someone who is not staff).
    "requester_reply",
    // A public reply from an agent, a manager or an admin.
    "agent_reply",
    // An internal note.
    "note",
    // Fields changed by a person (the API's PATCH, the console's forms, bulk changes).
    "edit",
    // This ticket was merged into another (and closed), or another into this one.
    "merged_into",
    "merged_from",
    // A link to another ticket was added or removed.
    "link",
    // An SLA escalation moved the ticket, raised its priority or had it assigned (the
    // system made the change, no person).
    "sla_escalation",
    // Automatic assignment gave a new ticket an assignee (after the created rules ran).
    "auto_assignment",
];

/// What a condition looks at.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Field {
    Status,
    Priority,
    Type,
    Category,
    Group,
    Assignee,
    Organization,
    Channel,
    Tags,
    /// The requester's email.
    Requester,
    /// The domain of the requester's email.
    RequesterDomain,
    Subject,
    Description,
    /// Subject and description.
    Text,
    /// Updated rules: the kind of change (see [`UPDATE_KINDS`]).
    Update,
    /// `custom.<key>`: a custom field.
    Custom(String),
}

impl TryFrom<String> for Field {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        Ok(match s.as_str() {
            "status" => Field::Status,
            "priority" => Field::Priority,
            "type" => Field::Type,
            "category" => Field::Category,
            "group" => Field::Group,
            "assignee" => Field::Assignee,
            "organization" => Field::Organization,
            "channel" => Field::Channel,
            "tags" => Field::Tags,
            "requester" => Field::Requester,
            "requester_domain" => Field::RequesterDomain,
            "subject" => Field::Subject,
            "description" => Field::Description,
            "text" => Field::Text,
            "update" => Field::Update,
            other => match other.strip_prefix("custom.") {
                Some(key) if !key.is_empty() => Field::Custom(key.to_owned()),
                _ => return Err(format!("unknown field {other:?}")),
            },
        })
    }
}

impl From<Field> for String {
    fn from(f: Field) -> String {
        match f {
            Field::Custom(k) => format!("custom.{k}"),
            other => other.name().to_owned(),
        }
    }
}

impl Field {
    fn name(&self) -> &'static str {
        match self {
            Field::Status => "status",
            Field::Priority => "priority",
            Field::Type => "type",
            Field::Category => "category",
            Field::Group => "group",
            Field::Assignee => "assignee",
            Field::Organization => "organization",
            Field::Channel => "channel",
            Field::Tags => "tags",
            Field::Requester => "requester",
            Field::RequesterDomain => "requester_domain",
            Field::Subject => "subject",
            Field::Description => "description",
            Field::Text => "text",
            Field::Update => "update",
            Field::Custom(_) => "custom",
        }
    }

    /// The field's values on a ticket: none when unset, several for tags and lists.
    fn values(&self, f: &Facts) -> Vec<String> {
        let one = |v: &str| vec![v.to_owned()];
        let opt = |v: &Option<String>| v.iter().cloned().collect();
        match self {
            Field::Status => one(&f.status),
            Field::Priority => one(&f.priority),
            Field::Type => one(&f.ticket_type),
            Field::Category => opt(&f.category),
            Field::Group => opt(&f.group),
            Field::Assignee => opt(&f.assignee),
            Field::Organization => opt(&f.organization),
            Field::Channel => one(&f.channel),
            Field::Tags => f.tags.clone(),
            Field::Requester => one(&f.requester),
            Field::RequesterDomain => one(f.requester.rsplit_once('@').map_or("", |(_, d)| d)),
            Field::Subject => one(&f.subject),
            Field::Description => one(&f.description),
            Field::Text => vec![f.subject.clone(), f.description.clone()],
            Field::Update => f.update.clone(),
            Field::Custom(key) => match f.custom.get(key) {
                None | Some(Value::Null) => vec![],
                Some(Value::Array(items)) => items.iter().map(scalar).collect(),
                Some(v) => vec![scalar(v)],
            },
        }
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// Equal (ignoring case); with `null`, the field is unset. On tags: has the tag. On a
    /// category: that category or one below it.
    Is,
    IsNot,
    /// A value contains the text, ignoring case.
    Contains,
    /// Equal to one of a list.
    AnyOf,
    /// Updated rules only: did not match `is` before the change and does now.
    ChangedTo,
}

/// A condition's operand: one value, a list (for `any_of`), or `null` (unset).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Operand {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub field: Field,
    pub op: Op,
    #[serde(default)]
    pub value: Option<Operand>,
}

impl Condition {
    pub(super) fn validate(&self, trigger: Trigger) -> Result<(), DomainError> {
        let bad = |m: &str| Err(DomainError::new("value", m));
        match (&self.op, &self.value) {
            (Op::AnyOf, Some(Operand::Many(v))) if !v.is_empty() => {}
            (Op::AnyOf, _) => return bad("any_of needs a non-empty list"),
            (Op::Contains, Some(Operand::One(s))) if !s.is_empty() => {}
            (Op::Contains, _) => return bad("contains needs a text"),
            (Op::ChangedTo, _) if trigger != Trigger::Updated => {
                return Err(DomainError::new("op", "changed_to is for updated rules"));
            }
            (_, Some(Operand::Many(_))) => return bad("give one value, or use any_of"),
            _ => {}
        }
        if self.field == Field::Update && trigger != Trigger::Updated {
            return Err(DomainError::new(
                "field",
                "update (the kind of change) is for updated rules",
            ));
        }
        let values: Vec<&str> = match &self.value {
            None => vec![],
            Some(Operand::One(s)) => vec![s],
            Some(Operand::Many(v)) => v.iter().map(String::as_str).collect(),
        };
        if matches!(self.op, Op::Contains) {
            return Ok(());
        }
        for v in values {
            let checked = match self.field {
                Field::Status => Status::parse("value", v).map(drop),
                Field::Priority => Priority::parse("value", v).map(drop),
                Field::Type => TicketType::parse("value", v).map(drop),
                Field::Update if !UPDATE_KINDS.contains(&v) => Err(DomainError::new(
                    "value",
                    format!("the kinds of change are {}", UPDATE_KINDS.join(", ")),
                )),
                _ => Ok(()),
            };
            checked?;
        }
        let unset_never = matches!(
            self.field,
            Field::Status | Field::Priority | Field::Type | Field::Channel | Field::Requester
        );
        if unset_never && self.value.is_none() {
            return bad("this field always has a value");
        }
        Ok(())
    }

    /// Whether the condition holds for `now`, `before` being the ticket before the change
    /// (updated rules).
    pub fn matches(&self, now: &Facts, before: Option<&Facts>) -> bool {
        match self.op {
            Op::Is => self.is(now),
            Op::IsNot => !self.is(now),
            Op::Contains => {
                let Some(Operand::One(needle)) = &self.value else {
                    return false;
                };
                let needle = needle.to_lowercase();
                self.field
                    .values(now)
                    .iter()
                    .any(|v| v.to_lowercase().contains(&needle))
            }
            Op::AnyOf => {
                let Some(Operand::Many(wanted)) = &self.value else {
                    return false;
                };
                let values = self.field.values(now);
                wanted.iter().any(|w| self.holds(&values, w))
            }
            Op::ChangedTo => before.is_some_and(|b| !self.is(b)) && self.is(now),
        }
    }

    fn is(&self, facts: &Facts) -> bool {
        let values = self.field.values(facts);
        match &self.value {
            None => values.is_empty(),
            Some(Operand::One(w)) => self.holds(&values, w),
            Some(Operand::Many(_)) => false,
        }
    }

    fn holds(&self, values: &[String], wanted: &str) -> bool {
        values.iter().any(|v| {
            v.eq_ignore_ascii_case(wanted)
                || self.field == Field::Category
                    && v.len() > wanted.len()
                    && v[..wanted.len()].eq_ignore_ascii_case(wanted)
                    && v[wanted.len()..].starts_with('/')
        })
    }
}
