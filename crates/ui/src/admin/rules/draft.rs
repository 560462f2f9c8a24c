//! A rule as the form holds it ([`Draft`]): read from a stored rule or from the posted form,
//! and read into a [`Rule`] with what is wrong named by field.

use frontline_domain::rules::{Rule, Since, TimeCondition, Trigger};

use super::rows::{MOST_ROWS, Row, action_of, action_row, condition_of, condition_row};
use crate::admin::{Fields, Problems};

pub(super) struct Draft {
    pub name: String,
    pub trigger: String,
    /// A [`Since`], or `before_sla_due_at`.
    pub since: String,
    pub amount: String,
    pub unit: String,
    pub conditions: Vec<Row>,
    pub actions: Vec<Row>,
    pub stop: bool,
    pub enabled: bool,
}

impl Draft {
    pub fn empty() -> Self {
        Draft {
            name: String::new(),
            trigger: "created".into(),
            since: "updated_at".into(),
            amount: String::new(),
            unit: "days".into(),
            conditions: vec![Row::condition()],
            actions: vec![Row::default()],
            stop: false,
            enabled: true,
        }
    }

    pub fn of(r: &Rule) -> Self {
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
            conditions: r.conditions.iter().map(condition_row).collect(),
            actions: r.actions.iter().map(action_row).collect(),
            stop: r.stop,
            enabled: r.enabled,
        }
    }

    pub fn from_form(f: &Fields) -> Self {
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
    pub fn without_blank_rows(mut self) -> Self {
        self.conditions.retain(|r| !r.a.is_empty());
        self.actions.retain(|r| !r.a.is_empty());
        self
    }

    pub fn rule(&self) -> Result<Rule, Problems> {
        let mut p = Problems::default();
        let trigger = self.trigger(&mut p);
        let time = if trigger == Trigger::Time {
            self.time(&mut p)
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

    fn trigger(&self, p: &mut Problems) -> Trigger {
        match self.trigger.as_str() {
            "created" => Trigger::Created,
            "updated" => Trigger::Updated,
            "time" => Trigger::Time,
            _ => {
                p.add("trigger", "choose when the rule runs");
                Trigger::Created
            }
        }
    }

    /// The time condition of a time rule: a whole number of minutes, hours or days.
    fn time(&self, p: &mut Problems) -> Option<TimeCondition> {
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
    }
}
