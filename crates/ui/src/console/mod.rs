//! The agent console: queues with their counts, the search, the ticket page, logging a call,
//! and the live-update stream.
//! Only staff reach these pages (the `Staff` extractor refuses everyone else).

pub(crate) mod bulk;
pub(crate) mod canned;
pub(crate) mod choices;
pub(crate) mod columns;
pub(crate) mod history;
pub(crate) mod live;
pub(crate) mod new;
pub(crate) mod paging;
pub(crate) mod queue;
pub(crate) mod search;
pub(crate) mod sla;
pub(crate) mod ticket;
pub(crate) mod ticket_edit;
pub(crate) mod ticket_fields;
pub(crate) mod time;
pub(crate) mod viewers;
pub(crate) mod views;
