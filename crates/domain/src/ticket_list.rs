//! What a list of tickets asks the store for: the filter, the sort order and the keys that
//! continue a page (keyset pagination, see `frontline_store::list`).

use crate::{GroupId, OrganizationId, Priority, Status, Ticket, TicketType, Timestamp, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// Most urgent first (P1 before P4), then oldest first.
    Priority,
    Created,
    Updated,
    /// SLA due soonest first (overdue ones first of all), tickets without a due time last.
    Due,
}

/// What a ticket without an SLA due time sorts as: after every real time.
pub const NO_DUE: i64 = i64::MAX;

impl SortKey {
    /// The cursor values of a ticket: the sort columns in order, ending with its number.
    pub fn key_of(self, t: &Ticket) -> Vec<i64> {
        let r = &t.record;
        let (created, updated) = (
            r.times.created_at.as_micros(),
            r.times.updated_at.as_micros(),
        );
        match self {
            SortKey::Priority => vec![r.priority.rank(), created, r.id.get()],
            SortKey::Created => vec![created, r.id.get()],
            SortKey::Updated => vec![updated, r.id.get()],
            SortKey::Due => vec![
                t.sla.due_at.map_or(NO_DUE, Timestamp::as_micros),
                r.id.get(),
            ],
        }
    }

    /// How many values a cursor of this order holds.
    pub fn key_len(self) -> usize {
        match self {
            SortKey::Priority => 3,
            SortKey::Created | SortKey::Updated | SortKey::Due => 2,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

/// A list's filters by id, as the store applies them. `None` on an optional id filter means
/// "don't filter"; `Some(None)` means "is empty".
#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    pub statuses: Vec<Status>,
    pub priorities: Vec<Priority>,
    pub types: Vec<TicketType>,
    /// A category and all below it.
    pub category_path: Option<String>,
    pub group_id: Option<Option<GroupId>>,
    pub assignee_id: Option<Option<UserId>>,
    pub requester_id: Option<UserId>,
    pub organization_id: Option<OrganizationId>,
    pub tag: Option<String>,
    pub updated_since: Option<Timestamp>,
    /// Every term of it in the subject or description, case ignored.
    pub text: Option<String>,
    /// Whether a term of `text` may also be in the ticket's replies and notes.
    pub text_in_comments: bool,
    /// `(key, normalised value)` pairs that must all match.
    pub custom: Vec<(String, String)>,
    pub sla: Option<SlaFilter>,
    /// Restricts to what a requester may see: their own tickets, the ones they watch, and
    /// their organization's when it shares tickets. `(user id, organization id)`.
    pub visible_to: Option<(UserId, Option<OrganizationId>)>,
}

/// Tickets by SLA state (see the ticket's `sla` summary).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaFilter {
    /// A target breached.
    Breached,
    /// Not overdue yet, but due after `after` and at or before `until`.
    DueBetween { after: Timestamp, until: Timestamp },
}
