//! The integration tests of this crate as one test binary, one module per file:
//! `cargo test -p frontline-jobs --test jobs`. The shared set-up and the generic code the tests
//! instantiate are compiled and linked once, not once per file.

mod support;

mod assignment;
mod queue;
mod rules;
mod rules_changes;
mod rules_system;
mod sla_escalation;
mod sla_queue;
mod sla_timers;
