//! The integration tests of this crate as one test binary, one module per file:
//! `cargo test -p frontline-core --test core`. The shared set-up and the generic code the tests
//! instantiate are compiled and linked once, not once per file.

mod group_commit;
mod mail_accept;
mod mail_corpus;
mod mail_ingest;
mod mail_ingest_rules;
mod mail_support;
mod mail_threading;
mod merge_and_links;
