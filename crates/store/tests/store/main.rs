//! The integration tests of this crate as one test binary, one module per file:
//! `cargo test -p frontline-store --test store`. The shared set-up and the generic code the tests
//! instantiate are compiled and linked once, not once per file.

mod support;

mod story;
mod story_case;
mod story_conversation;
mod story_filters;
mod story_lists;
mod story_people;
mod story_tickets;
mod story_views;
