//! SLA policies: the ordered list (the first whose conditions match a ticket applies) with
//! moving up and down, and a form for a new or existing policy: conditions, targets in
//! business minutes or hours, the calendar, when the clocks pause, the warning share and what
//! a breach sets off.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use frontline_core::sla::ConfiguredPolicy;
use frontline_domain::Channel;
use frontline_domain::sla::{Conditions, Escalation, Notify, Policy, Targets};
use frontline_domain::{Priority, Status, TicketType};

use super::form::{answer, moved};
use super::{Admin, AdminForm, CheckGroup, Fields, Problems, words};
use crate::Ui;
use crate::error::UiError;
use crate::session::Signed;
use crate::view::{Chrome, Opt};

pub(crate) struct PolicyLine {
    pub id: i64,
    pub name: String,
    pub applies: String,
    pub targets: String,
    pub calendar: String,
    pub first: bool,
    pub last: bool,
}

#[derive(Template)]
#[template(path = "admin/policies.html")]
struct ListPage {
    chrome: Chrome,
    tab: &'static str,
    policies: Vec<PolicyLine>,
    error: String,
}

/// One target's amount and unit as the form shows them.
pub(crate) struct TargetField {
    pub key: &'static str,
    pub label: &'static str,
    pub amount: String,
    pub units: Vec<Opt>,
    pub error: String,
}

#[derive(Template)]
#[template(path = "admin/policy.html")]
struct FormPage {
    chrome: Chrome,
    tab: &'static str,
    title: String,
    action: String,
    name: String,
    calendars: Vec<Opt>,
    conditions: Vec<CheckGroup>,
    targets: Vec<TargetField>,
    pause: CheckGroup,
    warn: String,
    notify: CheckGroup,
    groups: Vec<Opt>,
    raise: bool,
    problems: Problems,
}

const TARGETS: [(&str, &str); 3] = [
    ("first_response", "First response"),
    (
        "next_response",
        "Next response (after each requester reply)",
    ),
    ("resolution", "Resolution"),
];

/// A policy as its form shows it: every field as text.
#[derive(Default)]
struct Draft {
    name: String,
    calendar: String,
    priorities: Vec<String>,
    types: Vec<String>,
    categories: Vec<String>,
    organizations: Vec<String>,
    channels: Vec<String>,
    /// Amount and unit (`minutes` or `hours`) per target.
    targets: [(String, String); 3],
    pause: Vec<String>,
    warn: String,
    notify: Vec<String>,
    move_to: String,
    raise: bool,
}

fn strings<T>(items: &[T], f: impl Fn(&T) -> &str) -> Vec<String> {
    items.iter().map(|i| f(i).to_owned()).collect()
}

fn notify_name(n: Notify) -> &'static str {
    match n {
        Notify::Assignee => "assignee",
        Notify::Group => "group",
        Notify::Manager => "manager",
    }
}

impl Draft {
    fn empty() -> Self {
        Draft {
            pause: vec!["pending".into(), "on_hold".into()],
            warn: "75".into(),
            targets: std::array::from_fn(|_| (String::new(), "hours".into())),
            ..Draft::default()
        }
    }

    fn of(p: &ConfiguredPolicy) -> Self {
        let c = &p.policy.conditions;
        let t = p.policy.targets;
        let shown = |m: Option<u32>| match m {
            None => (String::new(), "hours".to_owned()),
            Some(m) if m.is_multiple_of(60) => ((m / 60).to_string(), "hours".to_owned()),
            Some(m) => (m.to_string(), "minutes".to_owned()),
        };
        let e = p.policy.escalation.clone().unwrap_or_default();
        Draft {
            name: p.policy.name.clone(),
            calendar: p.calendar.clone(),
            priorities: strings(&c.priorities, |p| p.as_str()),
            types: strings(&c.types, |t| t.as_str()),
            categories: c.categories.clone(),
            organizations: c.organizations.clone(),
            channels: c.channels.clone(),
            targets: [
                shown(t.first_response),
                shown(t.next_response),
                shown(t.resolution),
            ],
            pause: strings(&p.policy.pause_when, |s| s.as_str()),
            warn: p.policy.warn_at_percent.to_string(),
            notify: e
                .notify
                .iter()
                .map(|n| notify_name(*n).to_owned())
                .collect(),
            move_to: e.move_to_group.unwrap_or_default(),
            raise: e.raise_priority,
        }
    }

    fn from_form(f: &Fields) -> Self {
        let all = |name: &str| f.all(name).into_iter().map(str::to_owned).collect();
        Draft {
            name: f.one("name").to_owned(),
            calendar: f.one("calendar").to_owned(),
            priorities: all("priorities"),
            types: all("types"),
            categories: all("categories"),
            organizations: all("organizations"),
            channels: all("channels"),
            targets: std::array::from_fn(|i| {
                let key = TARGETS[i].0;
                (
                    f.one(key).trim().to_owned(),
                    f.one(&format!("{key}_unit")).to_owned(),
                )
            }),
            pause: all("pause_when"),
            warn: f.one("warn_at_percent").trim().to_owned(),
            notify: all("notify"),
            move_to: f.one("move_to_group").to_owned(),
            raise: f.has("raise_priority", "yes"),
        }
    }

    /// The policy the form describes, or every problem with it.
    fn policy(&self) -> Result<Policy, Problems> {
        let mut p = Problems::default();
        let mut parsed = |field: &str, e: frontline_domain::DomainError| p.add(field, e.message);
        let mut priorities = Vec::new();
        for v in &self.priorities {
            match Priority::parse("priorities", v) {
                Ok(x) => priorities.push(x),
                Err(e) => parsed("priorities", e),
            }
        }
        let mut types = Vec::new();
        for v in &self.types {
            match TicketType::parse("types", v) {
                Ok(x) => types.push(x),
                Err(e) => parsed("types", e),
            }
        }
        let mut pause_when = Vec::new();
        for v in &self.pause {
            match Status::parse("pause_when", v) {
                Ok(x) => pause_when.push(x),
                Err(e) => parsed("pause_when", e),
            }
        }
        let mut targets = [None; 3];
        for (i, (amount, unit)) in self.targets.iter().enumerate() {
            if amount.is_empty() {
                continue;
            }
            let per = if unit == "minutes" { 1 } else { 60 };
            match amount.parse::<u32>().ok().and_then(|a| a.checked_mul(per)) {
                Some(m) if m > 0 => targets[i] = Some(m),
                _ => p.add(TARGETS[i].0, "give a whole number of at least 1"),
            }
        }
        let warn = match self.warn.parse::<u8>() {
            Ok(w) => w,
            Err(_) => {
                p.add("warn_at_percent", "give a whole number from 1 to 99");
                75
            }
        };
        let mut notify = Vec::new();
        for n in &self.notify {
            match n.as_str() {
                "assignee" => notify.push(Notify::Assignee),
                "group" => notify.push(Notify::Group),
                "manager" => notify.push(Notify::Manager),
                other => p.add("escalation", format!("{other:?} is not someone to notify")),
            }
        }
        let move_to_group = Some(self.move_to.trim().to_owned()).filter(|g| !g.is_empty());
        let escalation =
            (!notify.is_empty() || move_to_group.is_some() || self.raise).then_some(Escalation {
                notify,
                move_to_group,
                raise_priority: self.raise,
            });
        let policy = Policy {
            name: self.name.trim().to_owned(),
            conditions: Conditions {
                priorities,
                types,
                categories: self.categories.clone(),
                organizations: self.organizations.clone(),
                channels: self.channels.clone(),
            },
            targets: Targets {
                first_response: targets[0],
                next_response: targets[1],
                resolution: targets[2],
            },
            pause_when,
            warn_at_percent: warn,
            escalation,
        };
        if p.is_empty()
            && let Err(e) = policy.validate()
        {
            p.add(e.field, e.message);
        }
        if self.calendar.is_empty() {
            p.add("calendar", "choose the calendar the targets count in");
        }
        if p.is_empty() { Ok(policy) } else { Err(p) }
    }
}

async fn form_page(
    ui: &Ui,
    signed: &Signed,
    existing: Option<i64>,
    d: &Draft,
    problems: Problems,
) -> Result<String, UiError> {
    let actor = signed.actor();
    let calendars = ui.desk.calendars(actor).await?;
    let categories = ui.desk.categories().await?;
    let organizations = ui.desk.organizations(actor).await?;
    let groups = ui.desk.groups(actor).await?;
    let (title, action) = match existing {
        Some(id) => (
            format!("SLA policy {}", d.name),
            format!("/admin/policies/{id}"),
        ),
        None => ("New SLA policy".to_owned(), "/admin/policies".to_owned()),
    };
    let conditions = vec![
        CheckGroup::new(
            "priorities",
            "Priorities",
            "",
            [Priority::P1, Priority::P2, Priority::P3, Priority::P4]
                .map(|p| (p.as_str(), p.as_str())),
            &d.priorities,
        ),
        CheckGroup::new(
            "types",
            "Types",
            "",
            TicketType::ALL.map(|t| (t.as_str(), words(t.as_str()))),
            &d.types,
        ),
        CheckGroup::new(
            "categories",
            "Categories",
            "A ticket filed below a chosen category matches too.",
            categories.into_iter().map(|c| (c.path.clone(), c.path)),
            &d.categories,
        ),
        CheckGroup::new(
            "organizations",
            "Organizations",
            "",
            organizations.into_iter().map(|o| (o.name.clone(), o.name)),
            &d.organizations,
        ),
        CheckGroup::new(
            "channels",
            "Channels",
            "",
            Channel::ALL
                .map(|c| c.as_str())
                .map(|c| (c, if c == "api" { "API".into() } else { words(c) })),
            &d.channels,
        ),
    ];
    let units = |unit: &str| {
        Opt::list(
            [("minutes", "business minutes"), ("hours", "business hours")],
            unit,
        )
    };
    let targets = TARGETS
        .iter()
        .zip(&d.targets)
        .map(|((key, label), (amount, unit))| TargetField {
            key,
            label,
            amount: amount.clone(),
            units: units(unit),
            error: problems.of(key),
        })
        .collect();
    let page = FormPage {
        chrome: signed.chrome("admin"),
        tab: "policies",
        title,
        action,
        name: d.name.clone(),
        calendars: Opt::list(
            [(String::new(), "Choose a calendar".to_owned())]
                .into_iter()
                .chain(calendars.into_iter().map(|(n, _)| (n.clone(), n))),
            &d.calendar,
        ),
        conditions,
        targets,
        pause: CheckGroup::new(
            "pause_when",
            "The clocks stop while a ticket is",
            "",
            [
                Status::Pending,
                Status::OnHold,
                Status::Resolved,
                Status::Closed,
            ]
            .map(|s| (s.as_str(), words(s.as_str()))),
            &d.pause,
        ),
        warn: d.warn.clone(),
        notify: CheckGroup::new(
            "notify",
            "Notify",
            "",
            [
                ("assignee", "The assignee"),
                ("group", "The ticket's group"),
                ("manager", "The desk's managers"),
            ],
            &d.notify,
        ),
        groups: Opt::list(
            [(String::new(), "Stay in its group".to_owned())]
                .into_iter()
                .chain(groups.into_iter().map(|(g, _)| (g.name.clone(), g.name))),
            &d.move_to,
        ),
        raise: d.raise,
        problems,
    };
    Ok(page.render()?)
}

fn summary(p: &ConfiguredPolicy) -> (String, String) {
    let c = &p.policy.conditions;
    let mut applies = Vec::new();
    let list = |v: Vec<String>| v.join(", ");
    if !c.priorities.is_empty() {
        applies.push(list(strings(&c.priorities, |p| p.as_str())));
    }
    if !c.types.is_empty() {
        applies.push(list(c.types.iter().map(|t| words(t.as_str())).collect()));
    }
    for (label, v) in [
        ("categories", &c.categories),
        ("organizations", &c.organizations),
        ("channels", &c.channels),
    ] {
        if !v.is_empty() {
            applies.push(format!("{label} {}", v.join(", ")));
        }
    }
    let applies = if applies.is_empty() {
        "Every ticket".to_owned()
    } else {
        applies.join("; ")
    };
    let t = p.policy.targets;
    let time = |m: u32| {
        if m.is_multiple_of(60) {
            format!("{} h", m / 60)
        } else {
            format!("{m} min")
        }
    };
    let targets = [
        ("first response", t.first_response),
        ("next response", t.next_response),
        ("resolution", t.resolution),
    ]
    .iter()
    .filter_map(|(l, m)| m.map(|m| format!("{l} {}", time(m))))
    .collect::<Vec<_>>()
    .join(", ");
    (applies, targets)
}

async fn list_page(ui: &Ui, signed: &Signed, error: String) -> Result<String, UiError> {
    let all = ui.desk.sla_policies(signed.actor()).await?;
    let n = all.len();
    let policies = all
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let (applies, targets) = summary(p);
            PolicyLine {
                id: p.id,
                name: p.policy.name.clone(),
                applies,
                targets,
                calendar: p.calendar.clone(),
                first: i == 0,
                last: i + 1 == n,
            }
        })
        .collect();
    let page = ListPage {
        chrome: signed.chrome("admin"),
        tab: "policies",
        policies,
        error,
    };
    Ok(page.render()?)
}

pub(crate) async fn list(State(ui): State<Ui>, Admin(signed): Admin) -> Result<Response, UiError> {
    Ok(Html(list_page(&ui, &signed, String::new()).await?).into_response())
}

pub(crate) async fn new(State(ui): State<Ui>, Admin(signed): Admin) -> Result<Response, UiError> {
    let html = form_page(&ui, &signed, None, &Draft::empty(), Problems::default()).await?;
    Ok(Html(html).into_response())
}

async fn find(ui: &Ui, signed: &Signed, id: i64) -> Result<ConfiguredPolicy, UiError> {
    ui.desk
        .sla_policies(signed.actor())
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or(UiError::NotFound)
}

pub(crate) async fn edit(
    State(ui): State<Ui>,
    Admin(signed): Admin,
    Path(id): Path<i64>,
) -> Result<Response, UiError> {
    let p = find(&ui, &signed, id).await?;
    let html = form_page(&ui, &signed, Some(id), &Draft::of(&p), Problems::default()).await?;
    Ok(Html(html).into_response())
}

async fn write(ui: &Ui, form: AdminForm, existing: Option<i64>) -> Result<Response, UiError> {
    let draft = Draft::from_form(&form.fields);
    let actor = form.signed.actor();
    let outcome = match draft.policy() {
        Err(p) => Err(p),
        Ok(policy) => {
            let done = match existing {
                Some(id) => {
                    ui.desk
                        .replace_sla_policy(actor, id, &policy, &draft.calendar)
                        .await
                }
                None => {
                    ui.desk
                        .add_sla_policy(actor, &policy, &draft.calendar)
                        .await
                }
            };
            match done {
                Ok(_) => Ok(()),
                Err(e) => Err(Problems::from_core_named(e)?),
            }
        }
    };
    answer(outcome, "/admin/policies", async |p| {
        form_page(ui, &form.signed, existing, &draft, p).await
    })
    .await
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
    let ids = ui
        .desk
        .sla_policies(actor)
        .await?
        .iter()
        .map(|p| p.id)
        .collect();
    if let Some(order) = moved(ids, id, form.fields.one("direction") == "up") {
        ui.desk.reorder_sla_policies(actor, &order).await?;
    }
    Ok(Redirect::to("/admin/policies").into_response())
}
