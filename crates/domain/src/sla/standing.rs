//! Where a ticket's SLA targets stand at this moment, as agents read them: for each target its
//! state (running, warning, paused, breached, met) and the business time left, counted up to
//! now from the due time the desk keeps; and for the ticket the one target that matters most
//! (the nearest to breaching, or the furthest overdue), which queues show in their SLA column.
//! Also the periods the clocks stood still, read from the ticket's history.

use crate::calendar::Calendar;
use crate::{Status, Timestamp};

use super::{ClockState, Happening, Moment, SlaTarget, Target};

/// What an agent sees of one target now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Standing {
    /// Overdue (or met late: the breach stays on record).
    Breached,
    /// Running and past the policy's warning share.
    Warning,
    Running,
    /// Stopped while the ticket waits (pending, on hold).
    Paused,
    Met,
}

impl Standing {
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Breached => "breached",
            Standing::Warning => "warning",
            Standing::Running => "running",
            Standing::Paused => "paused",
            Standing::Met => "met",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Standing::Breached => "Breached",
            Standing::Warning => "Due soon",
            Standing::Running => "On track",
            Standing::Paused => "Paused",
            Standing::Met => "Met",
        }
    }
}

/// One target as of `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TargetNow {
    pub target: Target,
    pub standing: Standing,
    /// When it breaches (or breached) at the current pace; `None` while paused or once met.
    pub due_at: Option<Timestamp>,
    /// Business time left in microseconds, negative when overdue.
    pub remaining: i64,
    /// Whether the business clock runs at this moment (running, in business hours): a
    /// countdown on screen may tick down until the next reload.
    pub ticking: bool,
}

/// `t` as of `now`, its business time counted in `calendar`.
pub fn target_now(t: &SlaTarget, calendar: &Calendar, now: Timestamp) -> TargetNow {
    let counting = t.met_at.is_none() && t.state != ClockState::Paused;
    let remaining = match (counting, t.due_at) {
        (true, Some(due)) if now <= due => calendar.business_time_between(now, due),
        (true, Some(due)) => -calendar.business_time_between(due, now),
        _ => t.remaining(),
    };
    let standing = if t.met_at.is_some() {
        if t.breached_at.is_some() {
            Standing::Breached
        } else {
            Standing::Met
        }
    } else if t.breached_at.is_some() || remaining < 0 {
        Standing::Breached
    } else if t.state == ClockState::Paused {
        Standing::Paused
    } else if t.warn_at.is_some_and(|w| w <= now) {
        Standing::Warning
    } else {
        Standing::Running
    };
    TargetNow {
        target: t.target,
        standing,
        due_at: if counting { t.due_at } else { None },
        remaining,
        ticking: counting && t.due_at.is_some() && calendar.is_business(now),
    }
}

/// The target a queue shows for the ticket: of those not yet met, the overdue first (the
/// furthest overdue), then the running ones by time left, then the paused; when every target
/// is met, the last of them. `None` without targets.
pub fn nearest(targets: &[TargetNow]) -> Option<TargetNow> {
    let open = targets
        .iter()
        .filter(|t| t.due_at.is_some() || t.standing == Standing::Paused);
    let counting = open.clone().filter(|t| t.standing != Standing::Paused);
    counting
        .min_by_key(|t| t.remaining)
        .or_else(|| open.min_by_key(|t| t.remaining))
        .or_else(|| targets.iter().min_by_key(|t| t.standing))
        .copied()
}

/// A period the ticket spent in a status that stops the clocks; `until` is `None` while it
/// lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pause {
    pub status: Status,
    pub from: Timestamp,
    pub until: Option<Timestamp>,
}

/// The pauses in `history` (oldest first) under a policy that stops the clocks in
/// `pause_when`.
pub fn pauses(history: &[Moment], pause_when: &[Status]) -> Vec<Pause> {
    let mut out: Vec<Pause> = Vec::new();
    for m in history {
        let Happening::StatusChanged(status) = m.what else {
            continue;
        };
        let paused = pause_when.contains(&status);
        match out.last_mut() {
            Some(open) if open.until.is_none() => {
                if !paused {
                    open.until = Some(m.at);
                } else if open.status != status {
                    // From one waiting status to another: one pause each.
                    open.until = Some(m.at);
                    out.push(Pause {
                        status,
                        from: m.at,
                        until: None,
                    });
                }
            }
            _ if paused => out.push(Pause {
                status,
                from: m.at,
                until: None,
            }),
            _ => {}
        }
    }
    out
}

/// "2h 05m", "3d 4h", "45m", "< 1m": business time (microseconds, sign ignored) as people
/// read a countdown.
pub fn short_duration(micros: i64) -> String {
    let minutes = micros.unsigned_abs() / 60_000_000;
    let (days, hours, mins) = (minutes / (24 * 60), minutes / 60 % 24, minutes % 60);
    match (days, hours, mins) {
        (0, 0, 0) => "< 1m".to_owned(),
        (0, 0, m) => format!("{m}m"),
        (0, h, m) => format!("{h}h {m:02}m"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SlaPolicyId, TicketId};

    const MINUTE: i64 = 60_000_000;

    fn at(minutes: i64) -> Timestamp {
        Timestamp::from_micros(1_800_000_000_000_000 + minutes * MINUTE)
    }

    fn target(target: Target, state: ClockState, due: Option<i64>, warn: Option<i64>) -> SlaTarget {
        SlaTarget {
            ticket_id: TicketId::new(1),
            target,
            policy_id: SlaPolicyId::new(1),
            state,
            goal: 60 * MINUTE,
            elapsed: 20 * MINUTE,
            started_at: at(0),
            due_at: due.map(at),
            warn_at: warn.map(at),
            met_at: None,
            breached_at: None,
            warned_at: None,
            updated_at: at(0),
            escalated_at: None,
        }
    }

    #[test]
    fn a_running_target_counts_down_to_its_due_time() {
        let always = Calendar::always();
        let t = target(Target::Resolution, ClockState::Running, Some(60), Some(45));
        let now = target_now(&t, &always, at(30));
        assert_eq!(now.standing, Standing::Running);
        assert_eq!(now.remaining, 30 * MINUTE);
        assert!(now.ticking);
        assert_eq!(target_now(&t, &always, at(50)).standing, Standing::Warning);
        let late = target_now(&t, &always, at(75));
        assert_eq!(late.standing, Standing::Breached);
        assert_eq!(late.remaining, -15 * MINUTE);
    }

    #[test]
    fn a_paused_target_keeps_what_it_had_left() {
        let t = target(Target::Resolution, ClockState::Paused, None, None);
        let now = target_now(&t, &Calendar::always(), at(500));
        assert_eq!(now.standing, Standing::Paused);
        assert_eq!(now.remaining, 40 * MINUTE);
        assert!(!now.ticking);
    }

    #[test]
    fn the_queue_shows_the_most_pressing_open_target() {
        let always = Calendar::always();
        let first = target(Target::FirstResponse, ClockState::Running, Some(10), None);
        let resolution = target(Target::Resolution, ClockState::Running, Some(240), None);
        let mut met = target(Target::NextResponse, ClockState::Met, None, None);
        met.met_at = Some(at(1));
        let all: Vec<TargetNow> = [&first, &resolution, &met]
            .iter()
            .map(|t| target_now(t, &always, at(5)))
            .collect();
        assert_eq!(nearest(&all).map(|t| t.target), Some(Target::FirstResponse));
        let only_met = [target_now(&met, &always, at(5))];
        assert_eq!(nearest(&only_met).map(|t| t.standing), Some(Standing::Met));
        assert_eq!(nearest(&[]), None);
    }

    #[test]
    fn pauses_are_read_from_status_changes() {
        let moment = |m, s| Moment {
            at: at(m),
            what: Happening::StatusChanged(s),
        };
        let history = [
            Moment {
                at: at(0),
                what: Happening::Opened,
            },
            moment(10, Status::Pending),
            moment(20, Status::Open),
            moment(30, Status::OnHold),
        ];
        let found = pauses(&history, &[Status::Pending, Status::OnHold]);
        assert_eq!(
            found,
            [
                Pause {
                    status: Status::Pending,
                    from: at(10),
                    until: Some(at(20))
                },
                Pause {
                    status: Status::OnHold,
                    from: at(30),
                    until: None
                },
            ]
        );
    }

    #[test]
    fn durations_read_like_a_countdown() {
        assert_eq!(short_duration(30 * 1_000_000), "< 1m");
        assert_eq!(short_duration(-45 * MINUTE), "45m");
        assert_eq!(short_duration(125 * MINUTE), "2h 05m");
        assert_eq!(short_duration((3 * 24 * 60 + 4 * 60 + 7) * MINUTE), "3d 4h");
    }
}
