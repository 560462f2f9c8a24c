//! A ticket's SLA targets as the desk keeps them between changes: where each clock stood when
//! the ticket last changed or a timer last fired, with the warning, breach and escalation
//! that have happened once each. The SLA reconcile compares a fresh [`TargetClock`] with
//! these to know what is new; queues read the [`SlaSummary`] kept beside the ticket.
//!
//! [`TargetClock`]: super::TargetClock

use crate::{SlaPolicyId, TicketId, Timestamp};

use super::{ClockState, Target};

/// One target of one ticket, as stored. Durations are business time in microseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaTarget {
    pub ticket_id: TicketId,
    pub target: Target,
    /// The policy whose clock this is.
    pub policy_id: SlaPolicyId,
    pub state: ClockState,
    pub goal: i64,
    pub elapsed: i64,
    /// When this cycle of the target started.
    pub started_at: Timestamp,
    pub due_at: Option<Timestamp>,
    pub warn_at: Option<Timestamp>,
    pub met_at: Option<Timestamp>,
    pub breached_at: Option<Timestamp>,
    /// When the warning was recorded (once per cycle).
    pub warned_at: Option<Timestamp>,
    /// When the state or due time last changed.
    pub updated_at: Timestamp,
    /// When the breach's escalation ran (once per breach).
    pub escalated_at: Option<Timestamp>,
}

impl SlaTarget {
    /// Breached, not met since, and its escalation not yet carried out.
    pub fn awaits_escalation(&self) -> bool {
        self.breached_at.is_some() && self.met_at.is_none() && self.escalated_at.is_none()
    }

    /// Business time left in microseconds; negative when overdue.
    pub fn remaining(&self) -> i64 {
        self.goal - self.elapsed
    }
}

/// What queues sort and filter a ticket by, kept by the SLA reconcile: the earliest due time
/// of a target still counting (in the past when overdue), and whether any target breached.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SlaSummary {
    pub due_at: Option<Timestamp>,
    pub breached: bool,
}

impl SlaSummary {
    /// The summary of a ticket's targets.
    pub fn of<'a>(targets: impl IntoIterator<Item = &'a SlaTarget>) -> Self {
        targets
            .into_iter()
            .fold(SlaSummary::default(), |s, t| SlaSummary {
                due_at: s.due_at.into_iter().chain(t.due_at).min(),
                breached: s.breached || t.breached_at.is_some(),
            })
    }
}
