//! The integration tests of this crate as one test binary, one module per file:
//! `cargo test -p frontline-ui --test ui`. The shared set-up and the generic code the tests
//! instantiate are compiled and linked once, not once per file.

mod support;

mod admin;
mod admin_assignment;
mod admin_mailboxes;
mod admin_policies;
mod admin_quarantine;
mod admin_rules;
mod console;
mod console_call_time;
mod console_find;
mod console_sla;
mod console_ticket_edit;
mod portal;
mod sign_in;
mod views;
