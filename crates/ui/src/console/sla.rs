//! The SLA as agents see it: a queue row's cell (the most pressing target: state as icon,
//! colour and word, and the business time left or overdue) and the ticket page's panel
//! (every target with its policy, due time and time left, and when the clocks stood still).
//! Running clocks carry the seconds left, so the console's script counts them down between
//! reloads.

use frontline_core::sla::TicketSlaNow;
use frontline_core::{Actor, Sla};
use frontline_domain::sla::{Standing, TargetNow, short_duration};
use frontline_domain::{Ticket, TicketId};

use crate::error::UiError;
use crate::view::{TicketLine, iso, status_label, time};

/// A ticket of the list with where its SLA stands.
pub(crate) struct QueueRow {
    pub t: TicketLine,
    pub sla: Option<SlaCell>,
}

impl QueueRow {
    /// The page's rows, with one read of their SLA targets.
    pub async fn list(sla: &Sla, actor: &Actor, items: &[Ticket]) -> Result<Vec<Self>, UiError> {
        let ids: Vec<TicketId> = items.iter().map(|t| t.record.id).collect();
        let standings = sla.standings(actor, &ids).await?;
        Ok(items
            .iter()
            .map(|t| QueueRow {
                t: TicketLine::of(t),
                sla: standings.get(&t.record.id).map(SlaCell::of),
            })
            .collect())
    }
}

/// A queue row's SLA cell.
pub(crate) struct SlaCell {
    /// `breached`, `warning`, `running`, `paused` or `met`: the CSS class and icon.
    pub state: &'static str,
    /// The state in words ("Breached").
    pub label: &'static str,
    /// "2h 05m left", "35m over", "1h 10m left" (paused), "" (met).
    pub left: String,
    /// Which target ("Resolution").
    pub target: &'static str,
    /// Business seconds left (negative when over), for the countdown.
    pub seconds: i64,
    /// Whether the clock runs now, so the countdown may tick.
    pub ticking: bool,
}

impl SlaCell {
    pub fn of(t: &TargetNow) -> Self {
        Self {
            state: t.standing.as_str(),
            label: t.standing.label(),
            left: left(t),
            target: t.target.label(),
            seconds: t.remaining / 1_000_000,
            ticking: t.ticking,
        }
    }
}

/// One row of the ticket page's SLA panel.
pub(crate) struct TargetRow {
    pub cell: SlaCell,
    pub policy: String,
    /// When it is due, or "—" while paused or once met.
    pub due: String,
    pub due_iso: String,
}

/// One pause of the clocks: "Pending · 2026-12-03 10:00 UTC – 14:00 UTC".
pub(crate) struct PauseRow {
    pub status: &'static str,
    pub from: String,
    pub until: String,
}

/// The ticket page's SLA panel; empty when no policy applies.
#[derive(Default)]
pub(crate) struct SlaPanel {
    pub targets: Vec<TargetRow>,
    pub pauses: Vec<PauseRow>,
}

impl SlaPanel {
    pub fn of(now: &TicketSlaNow) -> Self {
        Self {
            targets: now
                .targets
                .iter()
                .map(|t| TargetRow {
                    cell: SlaCell::of(&t.now),
                    policy: t.policy.clone(),
                    due: t
                        .now
                        .due_at
                        .map_or_else(|| "—".to_owned(), |d| time(d.as_micros())),
                    due_iso: t.now.due_at.map(|d| iso(d.as_micros())).unwrap_or_default(),
                })
                .collect(),
            pauses: now
                .pauses
                .iter()
                .rev()
                .map(|p| PauseRow {
                    status: status_label(p.status.as_str()),
                    from: time(p.from.as_micros()),
                    until: p
                        .until
                        .map_or_else(|| "now".to_owned(), |u| time(u.as_micros())),
                })
                .collect(),
        }
    }
}

fn left(t: &TargetNow) -> String {
    match t.standing {
        Standing::Met => String::new(),
        _ if t.remaining < 0 => format!("{} over", short_duration(t.remaining)),
        _ => format!("{} left", short_duration(t.remaining)),
    }
}
