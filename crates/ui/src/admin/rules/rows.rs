//! The rows of the rule form: what can be chosen in a condition or action row, and turning a
//! row into the condition or action it describes and back.

use frontline_domain::rules::{Action, Condition, Field, Op, Operand, Recipient};
use frontline_domain::{Priority, Status, TicketType};

pub(super) const FIELDS: [&str; 15] = [
    "status",
    "priority",
    "type",
    "category",
    "group",
    "assignee",
    "organization",
    "channel",
    "tags",
    "requester",
    "requester_domain",
    "subject",
    "description",
    "text",
    "update",
];

pub(super) const OPS: [(&str, &str); 5] = [
    ("is", "is"),
    ("is_not", "is not"),
    ("contains", "contains"),
    ("any_of", "is one of"),
    ("changed_to", "changed to (updated rules)"),
];

pub(super) const ACTIONS: [(&str, &str); 11] = [
    ("set_status", "Set status"),
    ("set_priority", "Set priority"),
    ("set_type", "Set type"),
    ("set_group", "Set group"),
    ("set_assignee", "Set assignee"),
    ("set_category", "Set category"),
    ("add_tags", "Add tags"),
    ("add_note", "Add an internal note"),
    ("reply", "Reply to the requester"),
    ("notify", "Notify"),
    ("webhook", "Call a webhook"),
];

/// Most rows of either kind a form grows to.
pub(super) const MOST_ROWS: usize = 20;

/// A condition or action row as the form shows it: a condition's field, comparison and
/// value; an action's kind and value (`b` unused).
#[derive(Clone, Default)]
pub(super) struct Row {
    pub a: String,
    pub b: String,
    pub value: String,
}

impl Row {
    /// A new condition row, comparing with "is".
    pub fn condition() -> Self {
        Row {
            b: "is".into(),
            ..Row::default()
        }
    }
}

fn op_name(op: Op) -> &'static str {
    match op {
        Op::Is => "is",
        Op::IsNot => "is_not",
        Op::Contains => "contains",
        Op::AnyOf => "any_of",
        Op::ChangedTo => "changed_to",
    }
}

fn opt_text(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

pub(super) fn condition_row(c: &Condition) -> Row {
    Row {
        a: String::from(c.field.clone()),
        b: op_name(c.op).into(),
        value: match &c.value {
            None => String::new(),
            Some(Operand::One(s)) => s.clone(),
            Some(Operand::Many(v)) => v.join(", "),
        },
    }
}

pub(super) fn action_row(a: &Action) -> Row {
    let row = |kind: &str, value: String| Row {
        a: kind.to_owned(),
        b: String::new(),
        value,
    };
    match a {
        Action::SetStatus { value } => row("set_status", value.as_str().into()),
        Action::SetPriority { value } => row("set_priority", value.as_str().into()),
        Action::SetType { value } => row("set_type", value.as_str().into()),
        Action::SetGroup { value } => row("set_group", opt_text(value)),
        Action::SetAssignee { value } => row("set_assignee", opt_text(value)),
        Action::SetCategory { value } => row("set_category", opt_text(value)),
        Action::AddTags { tags } => row("add_tags", tags.join(", ")),
        Action::AddNote { body } => row("add_note", body.clone()),
        Action::Reply { body } => row("reply", body.clone()),
        Action::Notify { recipients } => {
            let who: Vec<&str> = recipients.iter().map(Recipient::name).collect();
            row("notify", who.join(", "))
        }
        Action::Webhook { url } => row("webhook", url.clone()),
    }
}

fn comma_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The action a row describes; `Err` says what is wrong with its value.
pub(super) fn action_of(row: &Row) -> Result<Action, String> {
    let v = row.value.trim();
    let opt = || Some(v.to_owned()).filter(|s| !s.is_empty());
    let msg = |e: frontline_domain::DomainError| e.message;
    Ok(match row.a.as_str() {
        "set_status" => Action::SetStatus {
            value: Status::parse("value", v).map_err(msg)?,
        },
        "set_priority" => Action::SetPriority {
            value: Priority::parse("value", v).map_err(msg)?,
        },
        "set_type" => Action::SetType {
            value: TicketType::parse("value", v).map_err(msg)?,
        },
        "set_group" => Action::SetGroup { value: opt() },
        "set_assignee" => Action::SetAssignee { value: opt() },
        "set_category" => Action::SetCategory { value: opt() },
        "add_tags" => Action::AddTags {
            tags: comma_list(v),
        },
        "add_note" => Action::AddNote {
            body: row.value.clone(),
        },
        "reply" => Action::Reply {
            body: row.value.clone(),
        },
        "notify" => Action::Notify {
            recipients: comma_list(v).into_iter().map(recipient).collect(),
        },
        "webhook" => Action::Webhook { url: v.to_owned() },
        other => return Err(format!("{other:?} is not an action")),
    })
}

fn recipient(r: String) -> Recipient {
    match r.to_lowercase().as_str() {
        "assignee" => Recipient::Assignee,
        "requester" => Recipient::Requester,
        "group" => Recipient::Group,
        "managers" => Recipient::Managers,
        _ => Recipient::Person(r),
    }
}

/// The condition a row describes; `Err` says what is wrong with it.
pub(super) fn condition_of(row: &Row) -> Result<Condition, String> {
    let field = Field::try_from(row.a.clone())?;
    let op = match row.b.as_str() {
        "is" => Op::Is,
        "is_not" => Op::IsNot,
        "contains" => Op::Contains,
        "any_of" => Op::AnyOf,
        "changed_to" => Op::ChangedTo,
        other => return Err(format!("{other:?} is not a comparison")),
    };
    let v = row.value.trim();
    let value = match op {
        Op::AnyOf => Some(Operand::Many(comma_list(v))),
        _ if v.is_empty() && op != Op::Contains => None,
        _ => Some(Operand::One(v.to_owned())),
    };
    Ok(Condition { field, op, value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_reads_back_as_it_was_written() {
        let actions = vec![
            Action::SetStatus {
                value: Status::Pending,
            },
            Action::SetPriority {
                value: Priority::P2,
            },
            Action::SetType {
                value: TicketType::Problem,
            },
            Action::SetGroup { value: None },
            Action::SetAssignee {
                value: Some("a@x.org".into()),
            },
            Action::SetCategory {
                value: Some("Hardware/Laptop".into()),
            },
            Action::AddTags {
                tags: vec!["vip".into(), "vpn".into()],
            },
            Action::AddNote { body: "n".into() },
            Action::Reply { body: "r".into() },
            Action::Notify {
                recipients: vec![Recipient::Managers, Recipient::Person("b@x.org".into())],
            },
            Action::Webhook {
                url: "https://hooks.example/x".into(),
            },
        ];
        assert_eq!(actions.len(), ACTIONS.len(), "one row kind per action");
        for a in actions {
            assert_eq!(action_of(&action_row(&a)), Ok(a));
        }
    }

    #[test]
    fn conditions_read_unset_single_and_lists() {
        let row = |a: &str, b: &str, v: &str| Row {
            a: a.into(),
            b: b.into(),
            value: v.into(),
        };
        let c = condition_of(&row("group", "is", "")).expect("valid");
        assert_eq!(c.value, None);
        let c = condition_of(&row("priority", "any_of", "P1, P2")).expect("valid");
        assert_eq!(c.value, Some(Operand::Many(vec!["P1".into(), "P2".into()])));
        let c = condition_of(&row("custom.asset", "contains", "LT-")).expect("valid");
        assert_eq!(c.field, Field::Custom("asset".into()));
        assert!(condition_of(&row("colour", "is", "red")).is_err());
    }
}
