//! Ticket operations: open, read, list, change, converse, merge and link.
//!
//! Every change writes the ticket row with a version check and appends one event per changed
//! field to the audit trail in the same transaction, so the trail is complete by construction.

mod comment;
mod create;
pub(crate) mod fields;
mod idempotency;
mod link;
mod list;
mod merge;
mod read;
mod time;
mod trail;
mod update;
mod writer;

pub use comment::{NewAttachment, NewComment, Spent};
pub use create::{Created, NewTicket};
pub use idempotency::IdempotencyKey;
pub use link::TicketLink;
pub use list::{ListQuery, Page, SlaQuery};
pub use time::AgentTotals;
pub use update::TicketPatch;
pub(crate) use writer::CreationQueue;

pub(crate) use comment::store_attachments;
pub(crate) use trail::Trail;
pub(crate) use update::record_row_changes;

use frontline_domain::{Level, TicketId, TicketRecord};
use frontline_store::Conn;

use crate::{Actor, CoreError, Result};

/// The refusal a requester gets for naming watchers, when opening a ticket or later. It is
/// the same on both paths and says nothing about which addresses have accounts.
pub(crate) const ONLY_AGENTS_SET_WATCHERS: &str = "only agents may set watchers";

/// Whether `actor` may see the ticket: staff see the desk; a requester sees their own
/// tickets, those they watch, and their organization's when it shares tickets. Seeing is
/// also what lets a requester reply; changing a ticket is [`require_owner`].
pub(crate) async fn can_see(c: &mut Conn<'_>, actor: &Actor, t: &TicketRecord) -> Result<bool> {
    if actor.is_staff() || t.requester_id == actor.id {
        return Ok(true);
    }
    if c.watcher_ids(t.id).await?.contains(&actor.id) {
        return Ok(true);
    }
    if let (Some(org), Some(mine)) = (t.organization_id, actor.organization_id)
        && org == mine
    {
        return Ok(c
            .organization_by_id(org)
            .await?
            .is_some_and(|o| o.shared_tickets));
    }
    Ok(false)
}

/// Refuses a requester who is not the ticket's requester: a watcher or an organization
/// colleague may read and reply, but only the requester closes the ticket. Staff pass. The
/// ticket is visible to them, so this is a 403 naming the rule, not a 404.
pub(crate) fn require_owner(actor: &Actor, t: &TicketRecord) -> Result<()> {
    if actor.is_staff() || t.requester_id == actor.id {
        Ok(())
    } else {
        Err(CoreError::forbidden(
            "only the ticket's requester may change it; watchers and colleagues may read \
             and reply",
        ))
    }
}

/// The ticket row locked for change, if the actor may see it. A ticket the actor may not see
/// answers "not found", so its existence is not revealed.
pub(crate) async fn visible_for_update(
    c: &mut Conn<'_>,
    actor: &Actor,
    id: TicketId,
) -> Result<TicketRecord> {
    let row = c
        .ticket_for_update(id)
        .await?
        .ok_or(CoreError::NotFound("ticket"))?;
    if can_see(c, actor, &row).await? {
        Ok(row)
    } else {
        Err(CoreError::NotFound("ticket"))
    }
}

/// Requesters open tickets for themselves and describe them; triage is the desk's job. Who
/// else follows a ticket is the desk's choice too: a requester could otherwise copy staff or
/// other organizations in, and the "has no account" answer would tell them who exists. The
/// refusal comes before any address is looked up.
pub(crate) fn check_requester_may_open(actor: &Actor, new: &NewTicket) -> Result<()> {
    if new
        .requester
        .as_ref()
        .is_some_and(|r| r.as_str() != actor.email)
    {
        return Err(CoreError::forbidden(
            "requesters open tickets for themselves only",
        ));
    }
    if !new.watchers.is_empty() {
        return Err(CoreError::forbidden(ONLY_AGENTS_SET_WATCHERS));
    }
    let staff_only = [
        ("priority", new.priority.is_some()),
        ("status", new.status.is_some()),
        ("group", new.group.is_some()),
        ("assignee", new.assignee.is_some()),
        ("tags", !new.tags.is_empty()),
        ("impact", new.impact != Level::Medium),
    ];
    if let Some((field, _)) = staff_only.iter().find(|(_, set)| *set) {
        return Err(CoreError::forbidden(format!("only agents may set {field}")));
    }
    Ok(())
}
