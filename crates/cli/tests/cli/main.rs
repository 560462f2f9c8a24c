//! The integration tests of this crate as one test binary, one module per file:
//! `cargo test -p frontline --test cli`. The shared set-up and the generic code the tests
//! instantiate are compiled and linked once, not once per file.

#[macro_use]
mod support;

mod cli_errors;
mod contract;
mod durability;
mod generate;
mod mail_crash;
mod mail_imap;
mod mail_out;
mod mail_out_files;
mod mail_smtp;
mod sla_nodes;
mod trusted_proxy;
