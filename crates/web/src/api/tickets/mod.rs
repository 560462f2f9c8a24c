//! `/api/v1/tickets` and everything below it.

pub mod attachments;
pub mod comments;
pub mod create;
pub mod dto;
pub mod events;
pub mod get;
pub mod links;
pub mod list;
pub mod merge;
mod parse;
pub mod sla;
pub mod time_spent;
pub mod update;
