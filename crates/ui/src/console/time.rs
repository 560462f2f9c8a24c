//! The ticket page's "Time spent" panel: the total and each agent's share, with what it went
//! on (replies, notes, calls).

use frontline_domain::time_spent::{TimeEntry, TimeKind, minutes_label};

/// One agent's share: "Alex Agent", "35 min (2 replies, 1 call)".
pub(crate) struct AgentShare {
    pub name: String,
    pub label: String,
}

pub(crate) struct TimePanel {
    /// "1 h 05 min"; empty when nothing was recorded.
    pub total: String,
    pub agents: Vec<AgentShare>,
}

impl TimePanel {
    pub fn of(entries: &[TimeEntry]) -> Self {
        let total: i64 = entries.iter().map(|e| i64::from(e.minutes)).sum();
        // Agents in the order they first recorded time.
        let mut order: Vec<&TimeEntry> = Vec::new();
        for e in entries {
            if !order.iter().any(|o| o.user_id == e.user_id) {
                order.push(e);
            }
        }
        let agents = order
            .into_iter()
            .map(|first| {
                let theirs: Vec<&TimeEntry> = entries
                    .iter()
                    .filter(|e| e.user_id == first.user_id)
                    .collect();
                let minutes: i64 = theirs.iter().map(|e| i64::from(e.minutes)).sum();
                let counts: Vec<String> = TimeKind::ALL
                    .into_iter()
                    .filter_map(|k| {
                        let n = theirs.iter().filter(|e| e.kind == k).count();
                        (n > 0).then(|| counted(n, k))
                    })
                    .collect();
                AgentShare {
                    name: first.user_name.clone(),
                    label: format!("{} ({})", minutes_label(minutes), counts.join(", ")),
                }
            })
            .collect();
        Self {
            total: if total > 0 {
                minutes_label(total)
            } else {
                String::new()
            },
            agents,
        }
    }
}

/// "1 reply", "2 notes", "3 calls".
fn counted(n: usize, kind: TimeKind) -> String {
    let word = kind.as_str();
    if n == 1 {
        format!("1 {word}")
    } else if kind == TimeKind::Reply {
        format!("{n} replies")
    } else {
        format!("{n} {word}s")
    }
}
