//! Frontline's domain: the pure types and rules of a service desk, with no I/O.
//!
//! Everything a user or the network hands in is parsed into one of these types at the edge
//! (web, CLI, mail), so the layers below can trust what they hold. The clock is always passed
//! in, which keeps every rule here testable without time or a database.

pub mod availability;
pub mod calendar;
pub mod canned;
pub mod category;
pub mod conversation;
pub mod custom_field;
pub mod error;
pub mod event;
pub mod file_name;
pub mod id;
pub mod job;
pub mod link;
pub mod mail;
pub mod mailbox;
pub mod people;
pub mod priority;
pub mod role;
pub mod rules;
pub mod saved_view;
pub mod session;
pub mod sla;
pub mod status;
pub mod text;
pub mod ticket;
pub mod ticket_list;
pub mod ticket_type;
pub mod time;
pub mod time_spent;

pub use availability::Availability;
pub use calendar::Calendar;
pub use canned::CannedResponse;
pub use category::Category;
pub use conversation::{Attachment, Comment, CommentRecord, Event, EventRecord};
pub use custom_field::{CustomFieldDef, FieldKind};
pub use error::DomainError;
pub use event::EventKind;
pub use file_name::FileName;
pub use id::{
    AttachmentId, CalendarId, CannedId, CategoryId, CommentId, EventId, GroupId, InboundId, JobId,
    MailboxId, OrganizationId, OutboxId, RuleId, SlaPolicyId, TicketId, UserId, ViewId,
};
pub use job::{Job, JobState};
pub use link::{Link, LinkKind};
pub use mailbox::{MailboxRecord, MailboxState};
pub use people::{Group, Organization, User};
pub use priority::{Level, Priority, PriorityMatrix};
pub use role::Role;
pub use saved_view::{ViewRecord, ViewVisibility};
pub use session::Session;
pub use status::Status;
pub use text::{CategoryPath, Email, Subject, Tag};
pub use ticket::{Channel, SlaSummary, Ticket, TicketRecord, Timestamps};
pub use ticket_list::{Sort, SortKey, TicketFilter};
pub use ticket_type::TicketType;
pub use time::Timestamp;
