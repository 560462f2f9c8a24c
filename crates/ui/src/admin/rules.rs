//! Automation rules: the ordered list (move, enable or disable, delete) and a form for a new
//! or existing rule: its trigger, a time condition for time rules, rows of conditions and of
//! actions, and "stop processing". Rows work without script: "Add a condition" and "Remove"
//! send the form, which comes back with the row added or gone and nothing saved.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use frontline_core::rules::ConfiguredRule;
use frontline_domain::rules::{
    Action, Condition, Field, Op, Operand, Recipient, Rule, Since, TimeCondition, Trigger,
};
use frontline_domain::{Priority, Status, TicketType};

use super::form::moved;
use super::{Admin, AdminForm, Fields, Problems, words};
use crate::Ui;
use crate::error::UiError;
use crate::session::Signed;
use crate::view::{Chrome, Opt};

const FIELDS: [&str; 15] = [
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

const OPS: [(&str, &str); 5] = [
    ("is", "is"),
    ("is_not", "is not"),
    ("contains", "contains"),
    ("any_of", "is one of"),
    ("changed_to", "changed to (updated rules)"),
];

const ACTIONS: [(&str, &str); 11] = [
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
const MOST_ROWS: usize = 20;

pub(crate) struct RuleLine {
    pub id: i64,
    pub name: String,
    pub trigger: String,
    pub summary: String,
    pub enabled: bool,
    pub stop: bool,
    pub first: bool,
    pub last: bool,
}

#[derive(Template)]
#[template(path = "admin/rules.html")]
struct ListPage {
    chrome: Chrome,
    tab: &'static str,
    rules: Vec<RuleLine>,
}

/// A condition or action row as the form shows it.
#[derive(Clone, Default)]
struct Row {
    a: String,
    b: String,
    value: String,
}

pub(crate) struct RowView {
    pub n: usize,
    pub first: Vec<Opt>,
    pub second: Vec<Opt>,
    pub value: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "admin/rule.html")]
struct FormPage {
    chrome: Chrome,
    tab: &'static str,
    title: String,
    action: String,
    name: String,
    triggers: Vec<Opt>,
    since: Vec<Opt>,
    amount: String,
    units: Vec<Opt>,
    conditions: Vec<RowView>,
    actions: Vec<RowView>,
    stop: bool,
    enabled: bool,
    problems: Problems,
}

struct Draft {
    name: String,
    trigger: String,
    since: String,
    amount: String,
    unit: String,
    conditions: Vec<Row>,
    actions: Vec<Row>,
    stop: bool,
    enabled: bool,
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

fn action_row(a: &Action) -> Row {
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
            let who: Vec<String> = recipients
                .iter()
                .map(|r| match r {
                    Recipient::Assignee => "assignee".into(),
                    Recipient::Requester => "requester".into(),
                    Recipient::Group => "group".into(),
                    Recipient::Managers => "managers".into(),
                    Recipient::Person(e) => e.clone(),
                })
                .collect();
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
fn action_of(row: &Row) -> Result<Action, String> {
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
            recipients: comma_list(v)
                .into_iter()
                .map(|r| match r.to_lowercase().as_str() {
                    "assignee" => Recipient::Assignee,
                    "requester" => Recipient::Requester,
                    "group" => Recipient::Group,
                    "managers" => Recipient::Managers,
                    _ => Recipient::Person(r),
                })
                .collect(),
        },
        "webhook" => Action::Webhook { url: v.to_owned() },
        other => return Err(format!("{other:?} is not an action")),
    })
}

fn condition_of(row: &Row) -> Result<Condition, String> {
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

impl Draft {
    fn empty() -> Self {
        Draft {
            name: String::new(),
            trigger: "created".into(),
            since: "updated_at".into(),
            amount: String::new(),
            unit: "days".into(),
            conditions: vec![Row {
                b: "is".into(),
                ..Row::default()
            }],
            actions: vec![Row::default()],
            stop: false,
            enabled: true,
        }
    }

    fn of(r: &Rule) -> Self {
        let (amount, unit) = match r.time {
            None => (String::new(), "days"),
            Some(t) if t.minutes.is_multiple_of(1440) => ((t.minutes / 1440).to_string(), "days"),
            Some(t) if t.minutes.is_multiple_of(60) => ((t.minutes / 60).to_string(), "hours"),
            Some(t) => (t.minutes.to_string(), "minutes"),
        };
        let since = match r.time {
            Some(t) if t.before => "before_sla_due_at".to_owned(),
            Some(t) => t.since.as_str().to_owned(),
            None => "updated_at".to_owned(),
        };
        Draft {
            name: r.name.clone(),
            trigger: r.trigger.as_str().into(),
            since,
            amount,
            unit: unit.into(),
            conditions: r
                .conditions
                .iter()
                .map(|c| Row {
                    a: String::from(c.field.clone()),
                    b: op_name(c.op).into(),
                    value: match &c.value {
                        None => String::new(),
                        Some(Operand::One(s)) => s.clone(),
                        Some(Operand::Many(v)) => v.join(", "),
                    },
                })
                .collect(),
            actions: r.actions.iter().map(action_row).collect(),
            stop: r.stop,
            enabled: r.enabled,
        }
    }

    fn from_form(f: &Fields) -> Self {
        let rows = |a: &str, b: &str, v: &str| -> Vec<Row> {
            let (a, b, v) = (f.all(a), f.all(b), f.all(v));
            (0..a.len().min(MOST_ROWS))
                .map(|i| Row {
                    a: a[i].to_owned(),
                    b: b.get(i).copied().unwrap_or("").to_owned(),
                    value: v.get(i).copied().unwrap_or("").to_owned(),
                })
                .collect()
        };
        Draft {
            name: f.one("name").to_owned(),
            trigger: f.one("trigger").to_owned(),
            since: f.one("since").to_owned(),
            amount: f.one("amount").trim().to_owned(),
            unit: f.one("unit").to_owned(),
            conditions: rows("cond_field", "cond_op", "cond_value"),
            actions: rows("act_kind", "act_none", "act_value"),
            stop: f.has("stop", "yes"),
            enabled: f.has("enabled", "yes"),
        }
    }

    /// Leaves out rows where nothing was chosen, so row numbers match the rule's.
    fn without_blank_rows(mut self) -> Self {
        self.conditions.retain(|r| !r.a.is_empty());
        self.actions.retain(|r| !r.a.is_empty());
        self
    }

    fn rule(&self) -> Result<Rule, Problems> {
        let mut p = Problems::default();
        let trigger = match self.trigger.as_str() {
            "created" => Trigger::Created,
            "updated" => Trigger::Updated,
            "time" => Trigger::Time,
            _ => {
                p.add("trigger", "choose when the rule runs");
                Trigger::Created
            }
        };
        let time = if trigger == Trigger::Time {
            let per = match self.unit.as_str() {
                "minutes" => 1,
                "hours" => 60,
                _ => 1440,
            };
            match self
                .amount
                .parse::<u32>()
                .ok()
                .and_then(|a| a.checked_mul(per))
            {
                Some(minutes) if minutes > 0 => Some(TimeCondition {
                    since: Since::parse(self.since.trim_start_matches("before_"))
                        .unwrap_or(Since::UpdatedAt),
                    minutes,
                    before: self.since.starts_with("before_"),
                }),
                _ => {
                    p.add("time", "a time rule waits a whole number of at least 1");
                    None
                }
            }
        } else {
            None
        };
        let mut conditions = Vec::new();
        for (i, row) in self.conditions.iter().enumerate() {
            match condition_of(row) {
                Ok(c) => conditions.push(c),
                Err(m) => p.add(format!("conditions[{i}]"), m),
            }
        }
        let mut actions = Vec::new();
        for (i, row) in self.actions.iter().enumerate() {
            match action_of(row) {
                Ok(a) => actions.push(a),
                Err(m) => p.add(format!("actions[{i}]"), m),
            }
        }
        let rule = Rule {
            name: self.name.trim().to_owned(),
            trigger,
            conditions,
            time,
            actions,
            stop: self.stop,
            enabled: self.enabled,
        };
        if p.is_empty()
            && let Err(errors) = rule.validate()
        {
            p.extend(errors);
        }
        if p.is_empty() { Ok(rule) } else { Err(p) }
    }
}

async fn form_page(
    ui: &Ui,
    signed: &Signed,
    existing: Option<i64>,
    d: &Draft,
    problems: Problems,
) -> Result<String, UiError> {
    let custom = ui.desk.custom_fields().await?;
    let fields: Vec<(String, String)> = [(String::new(), "Choose a field".to_owned())]
        .into_iter()
        .chain(FIELDS.iter().map(|f| ((*f).to_owned(), words(f))))
        .chain(custom.iter().map(|c| {
            let key = format!("custom.{}", c.key);
            (key, format!("Custom: {}", c.key))
        }))
        .collect();
    let kinds: Vec<(&str, &str)> = [("", "Choose an action")]
        .into_iter()
        .chain(ACTIONS)
        .collect();
    let conditions = d
        .conditions
        .iter()
        .enumerate()
        .map(|(i, r)| RowView {
            n: i,
            first: Opt::list(fields.iter().cloned(), &r.a),
            second: Opt::list(OPS, &r.b),
            value: r.value.clone(),
            error: problems.of(&format!("conditions[{i}]")),
        })
        .collect();
    let actions = d
        .actions
        .iter()
        .enumerate()
        .map(|(i, r)| RowView {
            n: i,
            first: Opt::list(kinds.iter().copied(), &r.a),
            second: Vec::new(),
            value: r.value.clone(),
            error: problems.of(&format!("actions[{i}]")),
        })
        .collect();
    let (title, action) = match existing {
        Some(id) => (format!("Rule {}", d.name), format!("/admin/rules/{id}")),
        None => ("New rule".to_owned(), "/admin/rules".to_owned()),
    };
    let page = FormPage {
        chrome: signed.chrome("admin"),
        tab: "rules",
        title,
        action,
        name: d.name.clone(),
        triggers: Opt::list(
            [
                ("created", "A ticket is created"),
                ("updated", "A ticket is updated"),
                ("time", "A ticket has waited (time rule)"),
            ],
            &d.trigger,
        ),
        since: Opt::list(
            Since::ALL
                .map(|s| (s.as_str(), s.words()))
                .into_iter()
                .chain([("before_sla_due_at", "… before its SLA due time")]),
            &d.since,
        ),
        amount: d.amount.clone(),
        units: Opt::list(
            [("minutes", "minutes"), ("hours", "hours"), ("days", "days")],
            &d.unit,
        ),
        conditions,
        actions,
        stop: d.stop,
        enabled: d.enabled,
        problems,
    };
    Ok(page.render()?)
}

fn trigger_words(r: &Rule) -> String {
    match (r.trigger, r.time) {
        (Trigger::Created, _) => "On create".into(),
        (Trigger::Updated, _) => "On update".into(),
        (Trigger::Time, Some(t)) => {
            let when = if t.before { "before" } else { "after" };
            format!(
                "{} min {when} {}",
                t.minutes,
                t.since.as_str().replace('_', " ")
            )
        }
        (Trigger::Time, None) => "On time".into(),
    }
}

pub(crate) async fn list(State(ui): State<Ui>, Admin(signed): Admin) -> Result<Response, UiError> {
    let all = ui.desk.rules(signed.actor()).await?;
    let n = all.len();
    let rules = all
        .iter()
        .enumerate()
        .map(|(i, r)| RuleLine {
            id: r.id,
            name: r.rule.name.clone(),
            trigger: trigger_words(&r.rule),
            summary: r
                .rule
                .actions
                .iter()
                .map(Action::describe)
                .collect::<Vec<_>>()
                .join("; "),
            enabled: r.rule.enabled,
            stop: r.rule.stop,
            first: i == 0,
            last: i + 1 == n,
        })
        .collect();
    let page = ListPage {
        chrome: signed.chrome("admin"),
        tab: "rules",
        rules,
    };
    Ok(Html(page.render()?).into_response())
}

pub(crate) async fn new(State(ui): State<Ui>, Admin(signed): Admin) -> Result<Response, UiError> {
    let html = form_page(&ui, &signed, None, &Draft::empty(), Problems::default()).await?;
    Ok(Html(html).into_response())
}

async fn find(ui: &Ui, signed: &Signed, id: i64) -> Result<ConfiguredRule, UiError> {
    ui.desk
        .rules(signed.actor())
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(UiError::NotFound)
}

pub(crate) async fn edit(
    State(ui): State<Ui>,
    Admin(signed): Admin,
    Path(id): Path<i64>,
) -> Result<Response, UiError> {
    let r = find(&ui, &signed, id).await?;
    let html = form_page(
        &ui,
        &signed,
        Some(id),
        &Draft::of(&r.rule),
        Problems::default(),
    )
    .await?;
    Ok(Html(html).into_response())
}

/// Adds or removes a row and shows the form again, or saves the rule.
async fn write(ui: &Ui, form: AdminForm, existing: Option<i64>) -> Result<Response, UiError> {
    let mut draft = Draft::from_form(&form.fields);
    let op = form.fields.one("op");
    let signed = &form.signed;
    let again = |d: Draft, p: Problems, status: StatusCode| async move {
        let html = form_page(ui, signed, existing, &d, p).await?;
        Ok::<_, UiError>((status, Html(html)).into_response())
    };
    let drop_at = |prefix: &str| {
        op.strip_prefix(prefix)
            .and_then(|n| n.parse::<usize>().ok())
    };
    if op == "add_condition" || op == "add_action" {
        let rows = if op == "add_condition" {
            &mut draft.conditions
        } else {
            &mut draft.actions
        };
        if rows.len() < MOST_ROWS {
            rows.push(Row {
                b: if op == "add_condition" {
                    "is".into()
                } else {
                    String::new()
                },
                ..Row::default()
            });
        }
        return again(draft, Problems::default(), StatusCode::OK).await;
    }
    if let Some(n) = drop_at("drop_condition:") {
        if n < draft.conditions.len() {
            draft.conditions.remove(n);
        }
        return again(draft, Problems::default(), StatusCode::OK).await;
    }
    if let Some(n) = drop_at("drop_action:") {
        if n < draft.actions.len() {
            draft.actions.remove(n);
        }
        return again(draft, Problems::default(), StatusCode::OK).await;
    }
    let draft = draft.without_blank_rows();
    let actor = signed.actor();
    let outcome = match draft.rule() {
        Err(p) => Err(Ok(p)),
        Ok(rule) => {
            let done = match existing {
                Some(id) => ui.desk.replace_rule(actor, id, rule).await.map(drop),
                None => ui.desk.add_rule(actor, rule).await.map(drop),
            };
            done.map_err(Problems::from_core)
        }
    };
    match outcome {
        Ok(()) => Ok(Redirect::to("/admin/rules").into_response()),
        Err(Ok(p)) => {
            // A rule without actions comes back with an empty row to fill in.
            let mut draft = draft;
            if draft.actions.is_empty() {
                draft.actions.push(Row::default());
            }
            again(draft, p, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(Err(e)) => Err(e),
    }
}

pub(crate) async fn create(State(ui): State<Ui>, form: AdminForm) -> Result<Response, UiError> {
    write(&ui, form, None).await
}

pub(crate) async fn save(
    State(ui): State<Ui>,
    Path(id): Path<i64>,
    form: AdminForm,
) -> Result<Response, UiError> {
    write(&ui, form, Some(id)).await
}

pub(crate) async fn move_one(
    State(ui): State<Ui>,
    Path(id): Path<i64>,
    form: AdminForm,
) -> Result<Response, UiError> {
    let actor = form.signed.actor();
    let ids = ui.desk.rules(actor).await?.iter().map(|r| r.id).collect();
    if let Some(order) = moved(ids, id, form.fields.one("direction") == "up") {
        ui.desk.reorder_rules(actor, &order).await?;
    }
    Ok(Redirect::to("/admin/rules").into_response())
}

pub(crate) async fn toggle(
    State(ui): State<Ui>,
    Path(id): Path<i64>,
    form: AdminForm,
) -> Result<Response, UiError> {
    let mut r = find(&ui, &form.signed, id).await?;
    r.rule.enabled = form.fields.one("enabled") == "yes";
    ui.desk
        .replace_rule(form.signed.actor(), id, r.rule)
        .await?;
    Ok(Redirect::to("/admin/rules").into_response())
}

pub(crate) async fn delete(
    State(ui): State<Ui>,
    Path(id): Path<i64>,
    form: AdminForm,
) -> Result<Response, UiError> {
    ui.desk.delete_rule(form.signed.actor(), id).await?;
    Ok(Redirect::to("/admin/rules").into_response())
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
