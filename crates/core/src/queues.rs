//! The agent console's queues: named, fixed ticket lists with their counts. Each queue is a
//! [`ListQuery`] over the same ticket list the API serves, so what a queue shows and what its
//! count says agree.

use frontline_domain::Ticket;
use frontline_domain::{Email, Status, Timestamp};
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
    /// Nobody's yet, in one of my groups.
    Unassigned,
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
}

impl Queue {
    pub const ALL: [Queue; 7] = [
        Queue::Mine,
        Queue::Unassigned,
        Queue::Open,
        Queue::BreachingSoon,
        Queue::Breached,
        Queue::Pending,
        Queue::Recent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Queue::Mine => "mine",
            Queue::Unassigned => "unassigned",
            Queue::Open => "open",
            Queue::Pending => "pending",
            Queue::Recent => "recent",
            Queue::BreachingSoon => "breaching",
            Queue::Breached => "breached",
        }
    }

    pub fn parse(text: &str) -> Option<Queue> {
        Self::ALL.into_iter().find(|q| q.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Queue::Mine => "My tickets",
            Queue::Unassigned => "Unassigned in my groups",
            Queue::Open => "All open",
            Queue::Pending => "Pending",
            Queue::Recent => "Recently updated",
            Queue::BreachingSoon => "SLA due within 2 h",
            Queue::Breached => "SLA breached",
        }
    }

    /// The order a queue is read in unless the agent picks another: most urgent first, the
    /// SLA queues by due time, and newest change first for "recently updated".
    pub fn default_sort(self) -> Sort {
        match self {
            Queue::Recent => Sort {
                key: SortKey::Updated,
                descending: true,
            },
            Queue::BreachingSoon | Queue::Breached => Sort {
                key: SortKey::Due,
                descending: false,
            },
            _ => Sort {
                key: SortKey::Priority,
                descending: false,
            },
        }
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
            Queue::Recent => Vec::new(),
            _ => WORKING.to_vec(),
        }
    }
}

fn base_query(statuses: Vec<Status>, sort: Sort, limit: i64) -> ListQuery {
    ListQuery {
        statuses,
        ..ListQuery::new(sort, limit)
    }
}

impl Views {
    /// A page of a queue in `sort` order: at most `limit` tickets after the sort key `after`
    /// whose subject or description contains `text` (when given), and the key to continue from
    /// when more follow.
    pub async fn queue_tickets(
        &self,
        actor: &Actor,
        queue: Queue,
        sort: Sort,
        after: Option<Vec<i64>>,
        text: Option<String>,
        limit: i64,
    ) -> Result<Page> {
        actor.require_staff()?;
        let mut q = base_query(queue.statuses(), sort, limit);
        q.after = after;
        q.text = text;
        q.sla = queue.sla();
        match queue {
            Queue::Mine => q.assignee = Some(Some(actor.email.clone())),
            Queue::Recent => {
                q.updated_since = Some(Timestamp::from_micros(
                    self.core.now().as_micros() - RECENT_SECS * 1_000_000,
                ));
            }
            Queue::Unassigned => return self.unassigned_in_groups(actor, q).await,
            Queue::Open | Queue::Pending | Queue::BreachingSoon | Queue::Breached => {}
        }
        self.tickets().list_tickets(actor, q).await
    }

    /// One list per group the agent belongs to, merged in the queue's order.
    pub(crate) async fn unassigned_in_groups(&self, actor: &Actor, q: ListQuery) -> Result<Page> {
        let groups = {
            let mut pc = self.core.store.read().await?;
            pc.conn().groups_of(actor.id).await?
        };
        let (sort, limit) = (q.sort, usize::try_from(q.limit).unwrap_or(0));
        let mut items = Vec::new();
        for (_, name) in groups {
            let mut per_group = q.clone();
            per_group.group = Some(Some(name));
            per_group.assignee = Some(None);
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
