//! Running rules in order over one ticket: each enabled rule of the trigger whose conditions
//! hold fires once, sees what the rules before it changed, and may stop the rest.

use super::{Action, Facts, Rule, Trigger};

/// Most rules that fire on one ticket in one chain: a guard against a desk whose rules keep
/// undoing each other, on top of each rule firing at most once.
pub const MAX_FIRED: usize = 25;

/// A rule that fired, by its index in the list given to [`run`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fired {
    pub index: usize,
}

/// Runs `rules` of `trigger` over `facts` (updated in place by set-field and tag actions),
/// `before` being the ticket before the change for updated rules.
pub fn run<'r, R: AsRef<Rule> + 'r>(
    rules: impl IntoIterator<Item = &'r R>,
    trigger: Trigger,
    facts: &mut Facts,
    before: Option<&Facts>,
) -> Vec<Fired> {
    let mut fired = Vec::new();
    for (index, rule) in rules.into_iter().enumerate() {
        let rule = rule.as_ref();
        if !rule.enabled || rule.trigger != trigger {
            continue;
        }
        if !rule.conditions.iter().all(|c| c.matches(facts, before)) {
            continue;
        }
        for action in &rule.actions {
            apply(action, facts);
        }
        fired.push(Fired { index });
        if rule.stop || fired.len() >= MAX_FIRED {
            break;
        }
    }
    fired
}

impl AsRef<Rule> for Rule {
    fn as_ref(&self) -> &Rule {
        self
    }
}

fn apply(action: &Action, f: &mut Facts) {
    match action {
        Action::SetStatus { value } => f.status = value.as_str().to_owned(),
        Action::SetPriority { value } => f.priority = value.as_str().to_owned(),
        Action::SetType { value } => f.ticket_type = value.as_str().to_owned(),
        Action::SetGroup { value } => f.group = value.clone(),
        Action::SetAssignee { value } => f.assignee = value.as_ref().map(|e| e.to_lowercase()),
        Action::SetCategory { value } => {
            f.category = value.as_ref().map(|p| {
                crate::CategoryPath::parse("category", p)
                    .map_or_else(|_| p.clone(), |c| c.as_str().to_owned())
            })
        }
        Action::AddTags { tags } => {
            for t in tags {
                let t = t.trim().to_lowercase();
                if !f.tags.contains(&t) {
                    f.tags.push(t);
                }
            }
            f.tags.sort();
        }
        Action::AddNote { .. }
        | Action::Reply { .. }
        | Action::Notify { .. }
        | Action::Webhook { .. } => {}
    }
}
