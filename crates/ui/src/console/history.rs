//! The ticket page's history: the audit trail in the order things happened, people by name,
//! and what the desk did by itself in one step (a rule, a timer) on one line: "Rule “VPN to
//! Network”: group: none → Network; priority: P3 → P2" rather than a line per action and
//! another per field it changed.

use frontline_domain::{Event, EventKind};

use crate::view::HistoryLine;

/// The trail as the page shows it.
pub(crate) fn history(events: &[Event]) -> Vec<HistoryLine> {
    // An SLA target met or breached is recorded with the moment it happened, which can be
    // before entries written earlier (a policy that came into force applies to a ticket's
    // whole history at its next change).
    let mut sorted: Vec<&Event> = events.iter().collect();
    sorted.sort_by_key(|e| (e.record.at, e.record.id));
    let mut lines = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let first = sorted[i];
        // The desk's own entries of one moment: one step of a rule or a timer.
        let run = sorted[i..]
            .iter()
            .take_while(|e| e.record.actor_id.is_none() && e.record.at == first.record.at)
            .count();
        if first.record.actor_id.is_none() && run > 1 {
            lines.push(grouped(&sorted[i..i + run]));
            i += run;
        } else {
            lines.push(HistoryLine::of(first));
            i += 1;
        }
    }
    lines
}

/// How the rule actions that set a field describe themselves (`Action::describe`).
const SET_FIELDS: [&str; 6] = [
    "status:",
    "priority:",
    "type:",
    "group:",
    "assignee:",
    "category:",
];

/// One line for the desk's entries of one moment: who (the rules that ran, or Frontline)
/// and what changed; a rule's own entries are left out where the field changes say it.
fn grouped(run: &[&Event]) -> HistoryLine {
    let mut rules: Vec<&str> = Vec::new();
    let mut changes: Vec<String> = Vec::new();
    let mut actions: Vec<String> = Vec::new();
    for e in run {
        let r = &e.record;
        match r.kind {
            EventKind::RuleApplied => {
                let name = r.field.as_deref().unwrap_or("a rule");
                if !rules.contains(&name) {
                    rules.push(name);
                }
                if let Some(what) = &r.new_value
                    && !actions.contains(what)
                {
                    actions.push(what.clone());
                }
            }
            EventKind::FieldChanged => changes.push(format!(
                "{}: {} → {}",
                r.field.as_deref().unwrap_or_default().replace('_', " "),
                r.old_value.as_deref().unwrap_or("none"),
                r.new_value.as_deref().unwrap_or("none"),
            )),
            _ => changes.push(HistoryLine::of(e).what),
        }
    }
    // A rule's "priority: P2" is what its field change says; other actions (tags, a note, a
    // notification, a webhook) are said in the rule's words.
    let said: Vec<String> = if changes.is_empty() {
        actions
    } else {
        changes
            .into_iter()
            .chain(
                actions
                    .into_iter()
                    .filter(|a| !SET_FIELDS.iter().any(|f| a.starts_with(f))),
            )
            .collect()
    };
    let who = match rules.as_slice() {
        [] => "Frontline".to_owned(),
        [one] => format!("Rule “{one}”"),
        many => format!(
            "Rules {}",
            many.iter()
                .map(|r| format!("“{r}”"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut line = HistoryLine::of(run[0]);
    line.who = who;
    line.what = said.join("; ");
    line
}
