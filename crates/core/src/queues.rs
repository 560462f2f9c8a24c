//! The agent console's queues: named, fixed ticket lists with their counts. Each queue is a
//! [`ListQuery`] over the same ticket list the API serves, so what a queue shows and what its
//! count says agree.

use frontline_domain::Ticket;
use frontline_domain::{Email, Status};
use frontline_domain::{Sort, SortKey};

use crate::tickets::{ListQuery, Page, SlaQuery};
use crate::{Actor, Result, Views};

/// Work the desk still owns: not waiting on the requester, not finished.
const WORKING: [Status; 3] = [Status::New, Status::Open, Status::OnHold];
/// "Recently updated" looks back this far.
pub(crate) const RECENT_SECS: i64 = 24 * 60 * 60;
/// The "SLA due within 2 h" queue looks ahead this far (minutes).
pub const SOON_MINUTES: u32 = 120;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    /// Assigned to me and still being worked.
    Mine,
    /// Being worked in one of my groups, whoever has it.
    MyGroups,
    /// Nobody's yet, in one of my groups.
    Unassigned,
    /// Nobody's yet, in any group or in none: what triage picks up.
    Triage,
    /// Everything being worked, on the whole desk.
    Open,
    /// Waiting on the requester.
    Pending,
    /// Changed in the last day, whatever the status.
    Recent,
    /// Being worked, and an SLA target runs out within [`SOON_MINUTES`].
    BreachingSoon,
    /// Being worked, and an SLA target breached.
    Breached,
    /// Resolved or closed.
    Closed,
    /// Every ticket, whatever its status.
    All,
}

impl Queue {
    pub const ALL: [Queue; 11] = [
        Queue::Mine,
        Queue::MyGroups,
        Queue::Unassigned,
        Queue::Triage,
        Queue::Open,
        Queue::BreachingSoon,
        Queue::Breached,
        Queue::Pending,
        Queue::Recent,
        Queue::Closed,
        Queue::All,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Queue::Mine => "mine",
            Queue::MyGroups => "groups",
            Queue::Unassigned => "unassigned",
            Queue::Triage => "triage",
            Queue::Open => "open",
            Queue::Pending => "pending",
            Queue::Recent => "recent",
            Queue::BreachingSoon => "breaching",
            Queue::Breached => "breached",
            Queue::Closed => "closed",
            Queue::All => "all",
        }
    }

    pub fn parse(text: &str) -> Option<Queue> {
        Self::ALL.into_iter().find(|q| q.as_str() == text)
    }

    /// Every queue's name, for error messages: "mine, groups, …".
    pub fn names() -> String {
        Self::ALL.map(Queue::as_str).join(", ")
    }

    pub fn label(self) -> &'static str {
        match self {
            Queue::Mine => "My tickets",
            Queue::MyGroups => "My groups",
            Queue::Unassigned => "Unassigned in my groups",
            Queue::Triage => "New & unassigned, all groups",
            Queue::Open => "All open",
            Queue::Pending => "Pending",
            Queue::Recent => "Recently updated",
            Queue::BreachingSoon => "SLA due within 2 h",
            Queue::Breached => "SLA breached",
            Queue::Closed => "Solved & closed",
            Queue::All => "All tickets",
        }
    }

    /// The order a queue is read in unless the agent picks another: most urgent first, the
    /// SLA queues by due time, newest change first for "recently updated" and the solved
    /// ones, newest first for all tickets.
    pub fn default_sort(self) -> Sort {
        let (key, descending) = match self {
            Queue::Recent | Queue::Closed => (SortKey::Updated, true),
            Queue::All => (SortKey::Created, true),
            Queue::BreachingSoon | Queue::Breached => (SortKey::Due, false),
            _ => (SortKey::Priority, false),
        };
        Sort { key, descending }
    }

    /// The SLA state the queue holds, if it is an SLA queue.
    pub(crate) fn sla(self) -> Option<SlaQuery> {
        match self {
            Queue::BreachingSoon => Some(SlaQuery::DueWithin(SOON_MINUTES)),
            Queue::Breached => Some(SlaQuery::Breached),
            _ => None,
        }
    }

    pub(crate) fn statuses(self) -> Vec<Status> {
        match self {
            Queue::Pending => vec![Status::Pending],
            Queue::Closed => vec![Status::Resolved, Status::Closed],
            Queue::Recent | Queue::All => Vec::new(),
            _ => WORKING.to_vec(),
        }
    }

    /// Whether the queue holds only tickets nobody is assigned.
    pub(crate) fn unassigned(self) -> bool {
        matches!(self, Queue::Unassigned | Queue::Triage)
    }

    /// Whether the queue holds only tickets of the agent's groups.
    pub(crate) fn in_my_groups(self) -> bool {
        matches!(self, Queue::Unassigned | Queue::MyGroups)
    }
}

fn base_query(statuses: Vec<Status>, sort: Sort, limit: i64) -> ListQuery {
    ListQuery {
        statuses,
        ..ListQuery::new(sort, limit)
    }
}

impl Views {
    /// One list per group the agent belongs to, merged in the queue's order.
    pub(crate) async fn in_my_groups(&self, actor: &Actor, q: ListQuery) -> Result<Page> {
        let groups = {
            let mut pc = self.core.store.read().await?;
            pc.conn().groups_of(actor.id).await?
        };
        let (sort, limit) = (q.sort, usize::try_from(q.limit).unwrap_or(0));
        let mut items = Vec::new();
        for (_, name) in groups {
            let mut per_group = q.clone();
            per_group.group = Some(Some(name));
            per_group.limit = q.limit + 1;
            items.extend(self.tickets().list_tickets(actor, per_group).await?.items);
        }
        items.sort_by_key(|t| sort.key.key_of(t));
        if sort.descending {
            items.reverse();
        }
        let next = (items.len() > limit)
            .then(|| limit.checked_sub(1).and_then(|i| items.get(i)))
            .flatten()
            .map(|t| sort.key.key_of(t));
        items.truncate(limit);
        Ok(Page { items, next })
    }

    /// The highest ticket number and the latest change on the desk; a screen showing a queue
    /// refreshes when either moves.
    pub async fn desk_watermark(&self, actor: &Actor) -> Result<(i64, i64)> {
        actor.require_staff()?;
        let mut pc = self.core.store.read().await?;
        Ok(pc.conn().desk_watermark().await?)
    }

    /// The names of the groups the agent belongs to.
    pub async fn my_groups(&self, actor: &Actor) -> Result<Vec<String>> {
        let mut pc = self.core.store.read().await?;
        Ok(pc
            .conn()
            .groups_of(actor.id)
            .await?
            .into_iter()
            .map(|g| g.1)
            .collect())
    }

    /// A requester's own requests (and those shared with them), newest first.
    pub async fn my_requests(&self, actor: &Actor, limit: i64) -> Result<Vec<Ticket>> {
        let sort = Sort {
            key: SortKey::Created,
            descending: true,
        };
        Ok(self
            .tickets()
            .list_tickets(actor, base_query(Vec::new(), sort, limit))
            .await?
            .items)
    }

    /// A requester's most recent tickets, for the agent looking at one of them.
    pub async fn requester_tickets(
        &self,
        actor: &Actor,
        requester: &str,
        limit: i64,
    ) -> Result<Vec<Ticket>> {
        actor.require_staff()?;
        let sort = Sort {
            key: SortKey::Created,
            descending: true,
        };
        let mut q = base_query(Vec::new(), sort, limit);
        q.requester = Some(Email::parse("requester", requester)?);
        Ok(self.tickets().list_tickets(actor, q).await?.items)
    }
}
