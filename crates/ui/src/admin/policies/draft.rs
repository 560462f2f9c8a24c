//! A policy as its form holds it ([`Draft`]): every field as text, read from a configured
//! policy or from the posted form, and read into a [`Policy`] with every problem named by
//! field.

use frontline_core::sla::ConfiguredPolicy;
use frontline_domain::sla::{Conditions, Escalation, Notify, Policy, Targets};
use frontline_domain::{DomainError, Priority, Status, TicketType};

use super::strings;
use crate::admin::{Fields, Problems};

/// The targets in the form's order: field name and label.
pub(super) const TARGETS: [(&str, &str); 3] = [
    ("first_response", "First response"),
    (
        "next_response",
        "Next response (after each requester reply)",
    ),
    ("resolution", "Resolution"),
];

#[derive(Default)]
pub(super) struct Draft {
    pub name: String,
    pub calendar: String,
    pub priorities: Vec<String>,
    pub types: Vec<String>,
    pub categories: Vec<String>,
    pub organizations: Vec<String>,
    pub channels: Vec<String>,
    /// Amount and unit (`minutes` or `hours`) per target.
    pub targets: [(String, String); 3],
    pub pause: Vec<String>,
    pub warn: String,
    pub notify: Vec<String>,
    pub move_to: String,
    pub raise: bool,
}

fn notify_name(n: Notify) -> &'static str {
    match n {
        Notify::Assignee => "assignee",
        Notify::Group => "group",
        Notify::Manager => "manager",
    }
}

/// Each of `values` parsed, and a problem under `field` for each that does not parse.
fn parse_each<T>(
    values: &[String],
    field: &str,
    parse: fn(&str, &str) -> Result<T, DomainError>,
    p: &mut Problems,
) -> Vec<T> {
    let mut out = Vec::new();
    for v in values {
        match parse(field, v) {
            Ok(x) => out.push(x),
            Err(e) => p.add(field, e.message),
        }
    }
    out
}

impl Draft {
    pub fn empty() -> Self {
        Draft {
            pause: vec!["pending".into(), "on_hold".into()],
            warn: "75".into(),
            targets: std::array::from_fn(|_| (String::new(), "hours".into())),
            ..Draft::default()
        }
    }

    pub fn of(p: &ConfiguredPolicy) -> Self {
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

    pub fn from_form(f: &Fields) -> Self {
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
    pub fn policy(&self) -> Result<Policy, Problems> {
        let mut p = Problems::default();
        let priorities = parse_each(&self.priorities, "priorities", Priority::parse, &mut p);
        let types = parse_each(&self.types, "types", TicketType::parse, &mut p);
        let pause_when = parse_each(&self.pause, "pause_when", Status::parse, &mut p);
        let targets = self.targets(&mut p);
        let warn = self.warn(&mut p);
        let escalation = self.escalation(&mut p);
        let policy = Policy {
            name: self.name.trim().to_owned(),
            conditions: Conditions {
                priorities,
                types,
                categories: self.categories.clone(),
                organizations: self.organizations.clone(),
                channels: self.channels.clone(),
            },
            targets,
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

    /// The targets in minutes; one left empty is not measured.
    fn targets(&self, p: &mut Problems) -> Targets {
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
        Targets {
            first_response: targets[0],
            next_response: targets[1],
            resolution: targets[2],
        }
    }

    fn warn(&self, p: &mut Problems) -> u8 {
        match self.warn.parse::<u8>() {
            Ok(w) => w,
            Err(_) => {
                p.add("warn_at_percent", "give a whole number from 1 to 99");
                75
            }
        }
    }

    /// What a breach sets off; none when nothing is chosen.
    fn escalation(&self, p: &mut Problems) -> Option<Escalation> {
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
        (!notify.is_empty() || move_to_group.is_some() || self.raise).then_some(Escalation {
            notify,
            move_to_group,
            raise_priority: self.raise,
        })
    }
}
