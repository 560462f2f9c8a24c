//! Service-level agreements: which policy applies to a ticket (`policy`), where each of its
//! targets stands given the ticket's history (`clock`), and the targets as the desk keeps
//! them between changes (`target`), and how they stand at this moment for the console
//! (`standing`).
//!
//! The clock is a pure function of the policy, the business-hours calendar, what happened to
//! the ticket and the current time, so the core can recompute it on every change, the SLA
//! timers can check it when they fire, and a changed priority re-evaluates it from the start.

mod clock;
mod policy;
mod standing;
mod target;

pub use clock::{ClockState, Happening, Moment, Target, TargetClock, evaluate};
pub use policy::{Conditions, Escalation, Facts, Notify, Policy, PolicyRecord, Targets, choose};
pub use standing::{Pause, Standing, TargetNow, nearest, pauses, short_duration, target_now};
pub use target::{SlaSummary, SlaTarget};

#[cfg(test)]
mod tests;
