//! Where each SLA target of a ticket stands: replayed from what happened to the ticket, in
//! business time of the policy's calendar.
//!
//! - First response runs from opening until the desk's first public reply.
//! - Next response runs from each requester reply after that until the desk answers again;
//!   every such cycle is measured on its own.
//! - Resolution runs from opening until the ticket is resolved or closed, and on a reopen
//!   carries on from the time already used.
//!
//! Every clock stops while the status is one the policy pauses in. A target is breached at the
//! instant its business time runs out, whether it is met later or not.

use crate::calendar::Calendar;
use crate::{DomainError, Status, Timestamp};

use super::Policy;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    FirstResponse,
    NextResponse,
    Resolution,
}

impl Target {
    pub const ALL: [Target; 3] = [
        Target::FirstResponse,
        Target::NextResponse,
        Target::Resolution,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Target::FirstResponse => "first_response",
            Target::NextResponse => "next_response",
            Target::Resolution => "resolution",
        }
    }

    /// As agents read it: "First response".
    pub fn label(self) -> &'static str {
        match self {
            Target::FirstResponse => "First response",
            Target::NextResponse => "Next response",
            Target::Resolution => "Resolution",
        }
    }

    pub fn parse(text: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == text)
            .ok_or_else(|| {
                DomainError::new(
                    "target",
                    "must be first_response, next_response or resolution",
                )
            })
    }
}

/// What happened to a ticket that a clock cares about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Happening {
    Opened,
    StatusChanged(Status),
    /// A public reply from the desk.
    AgentReplied,
    RequesterReplied,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment {
    pub at: Timestamp,
    pub what: Happening,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockState {
    Running,
    Paused,
    Met,
    Breached,
}

impl ClockState {
    pub const ALL: [ClockState; 4] = [
        ClockState::Running,
        ClockState::Paused,
        ClockState::Met,
        ClockState::Breached,
    ];

    pub fn parse(text: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| DomainError::new("state", "must be running, paused, met or breached"))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ClockState::Running => "running",
            ClockState::Paused => "paused",
            ClockState::Met => "met",
            ClockState::Breached => "breached",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetClock {
    pub target: Target,
    /// Breached as soon as the time ran out, also when the target was met late.
    pub state: ClockState,
    /// Business time allowed and used (microseconds); `remaining` is negative when overdue.
    pub goal: i64,
    pub elapsed: i64,
    pub remaining: i64,
    /// When this cycle of the target started.
    pub started_at: Timestamp,
    /// When the time runs out at the current pace; `None` while paused or once met.
    pub due_at: Option<Timestamp>,
    /// When the warning share of the time is (or was) used up; `None` if not yet known.
    pub warn_at: Option<Timestamp>,
    pub met_at: Option<Timestamp>,
    pub breached_at: Option<Timestamp>,
}

/// The clocks of every target the policy sets and the history has started, as of `now`.
/// `history` is in time order; moments after `now` are ignored.
pub fn evaluate(
    policy: &Policy,
    calendar: &Calendar,
    history: &[Moment],
    now: Timestamp,
) -> Vec<TargetClock> {
    let goals = [
        (Target::FirstResponse, policy.targets.first_response),
        (Target::NextResponse, policy.targets.next_response),
        (Target::Resolution, policy.targets.resolution),
    ];
    let mut clocks: Vec<Run> = goals
        .iter()
        .filter_map(|&(target, minutes)| {
            let goal = i64::from(minutes?) * 60_000_000;
            let warn = goal * i64::from(policy.warn_at_percent) / 100;
            Some(Run::new(target, goal, warn))
        })
        .collect();
    let mut paused = false;
    let mut responded = false;
    let mut status = Status::New;
    for m in history.iter().filter(|m| m.at <= now) {
        let at = m.at;
        match m.what {
            Happening::Opened => {
                for c in clocks
                    .iter_mut()
                    .filter(|c| c.target != Target::NextResponse)
                {
                    c.start(at, paused);
                }
            }
            Happening::StatusChanged(to) => {
                let pause = policy.pause_when.contains(&to);
                if pause != paused {
                    paused = pause;
                    for c in clocks.iter_mut() {
                        c.set_paused(calendar, at, pause);
                    }
                }
                let done = matches!(to, Status::Resolved | Status::Closed);
                let was_done = matches!(status, Status::Resolved | Status::Closed);
                for c in clocks.iter_mut().filter(|c| c.target == Target::Resolution) {
                    if done && !was_done {
                        c.meet(calendar, at);
                    } else if was_done && !done {
                        c.resume(at, paused);
                    }
                }
                status = to;
            }
            Happening::AgentReplied => {
                responded = true;
                for c in clocks.iter_mut().filter(|c| c.target != Target::Resolution) {
                    c.meet(calendar, at);
                }
            }
            Happening::RequesterReplied => {
                for c in clocks
                    .iter_mut()
                    .filter(|c| c.target == Target::NextResponse)
                {
                    if responded && !c.active {
                        c.restart(at, paused);
                    }
                }
            }
        }
    }
    clocks
        .into_iter()
        .filter_map(|c| c.finish(calendar, now))
        .collect()
}

/// One target's clock while the history is replayed.
struct Run {
    target: Target,
    goal: i64,
    warn: i64,
    started_at: Option<Timestamp>,
    /// Counting toward the goal (started and not met); it may still be paused.
    active: bool,
    /// Start of the current running stretch, while active and not paused.
    since: Option<Timestamp>,
    /// Business time used in earlier stretches.
    used: i64,
    met_at: Option<Timestamp>,
    warn_at: Option<Timestamp>,
    breached_at: Option<Timestamp>,
}

impl Run {
    fn new(target: Target, goal: i64, warn: i64) -> Self {
        Self {
            target,
            goal,
            warn,
            started_at: None,
            active: false,
            since: None,
            used: 0,
            met_at: None,
            warn_at: None,
            breached_at: None,
        }
    }

    fn start(&mut self, at: Timestamp, paused: bool) {
        if self.started_at.is_none() {
            self.started_at = Some(at);
            self.active = true;
            self.since = (!paused).then_some(at);
        }
    }

    /// A new cycle (next response): the time used before does not count.
    fn restart(&mut self, at: Timestamp, paused: bool) {
        *self = Run::new(self.target, self.goal, self.warn);
        self.start(at, paused);
    }

    /// Carries on after a reopen, from the time already used.
    fn resume(&mut self, at: Timestamp, paused: bool) {
        if self.started_at.is_some() && !self.active {
            self.active = true;
            self.met_at = None;
            self.since = (!paused).then_some(at);
        }
    }

    fn set_paused(&mut self, calendar: &Calendar, at: Timestamp, pause: bool) {
        if !self.active {
            return;
        }
        if pause {
            self.stop(calendar, at);
        } else if self.since.is_none() {
            self.since = Some(at);
        }
    }

    fn meet(&mut self, calendar: &Calendar, at: Timestamp) {
        if self.active {
            self.stop(calendar, at);
            self.active = false;
            self.met_at = Some(at);
        }
    }

    /// Ends the running stretch at `at`, noting the warning and breach instants it passed.
    fn stop(&mut self, calendar: &Calendar, at: Timestamp) {
        if let Some(since) = self.since.take() {
            let stretch = calendar.business_time_between(since, at);
            self.mark(calendar, since, Some(at));
            self.used += stretch;
        }
    }

    /// Notes the instants, within the stretch from `since` (to `until`, or open-ended), at
    /// which the used time reaches the warning share and the goal.
    fn mark(&mut self, calendar: &Calendar, since: Timestamp, until: Option<Timestamp>) {
        let instant = |threshold: i64| {
            if self.used >= threshold {
                return None;
            }
            calendar
                .add(since, threshold - self.used)
                .filter(|t| until.is_none_or(|u| *t <= u))
        };
        if self.warn_at.is_none() {
            self.warn_at = instant(self.warn);
        }
        if self.breached_at.is_none() {
            self.breached_at = instant(self.goal);
        }
    }

    fn finish(mut self, calendar: &Calendar, now: Timestamp) -> Option<TargetClock> {
        let started_at = self.started_at?;
        let mut due_at = None;
        let mut elapsed = self.used;
        if let Some(since) = self.since {
            elapsed += calendar.business_time_between(since, now);
            self.mark(calendar, since, None);
            due_at = self
                .breached_at
                .or_else(|| (self.used >= self.goal).then_some(since));
        }
        // Instants still ahead are forecasts: only a passed breach counts as one.
        let breached_at = self.breached_at.filter(|t| *t <= now);
        let state = match (breached_at, self.met_at, self.active, self.since) {
            (Some(_), _, _, _) => ClockState::Breached,
            (None, Some(_), _, _) => ClockState::Met,
            (None, None, true, None) => ClockState::Paused,
            _ => ClockState::Running,
        };
        Some(TargetClock {
            target: self.target,
            state,
            goal: self.goal,
            elapsed,
            remaining: self.goal - elapsed,
            started_at,
            due_at,
            warn_at: self.warn_at,
            met_at: self.met_at,
            breached_at,
        })
    }
}
