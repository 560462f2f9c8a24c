//! The integration tests of this crate as one test binary, one module per file:
//! `cargo test -p frontline-web --test web`. The shared set-up and the generic code the tests
//! instantiate are compiled and linked once, not once per file.

mod support;

mod bad_bodies;
mod bad_queries;
mod conversation;
mod forbidden;
mod jobs;
mod mail_templates;
mod mailboxes;
mod openapi;
mod pagination;
mod quarantine;
mod requester_rights;
mod roles;
mod rules;
mod sla;
mod tickets;
mod views;
