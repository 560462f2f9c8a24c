//! What saved views show: a view's tickets and count, the console's counts of every queue
//! and view, and the group names its choices offer.

use frontline_domain::{GroupId, Timestamp};
use frontline_store::views::ViewCount;

use super::stored::from_record;
use super::{COUNT_CAP, ConsoleCounts, SavedView, ViewSpec};
use crate::queues::{Queue, RECENT_SECS};
use crate::tickets::{ListQuery, Page};
use crate::{Actor, Result, Views};

impl Views {
    /// How many tickets each view `actor` sees holds, up to [`COUNT_CAP`].
    pub async fn views_with_counts(&self, actor: &Actor) -> Result<Vec<(SavedView, i64)>> {
        Ok(self.console_counts(actor, None).await?.views)
    }

    /// How many tickets a view holds for `actor`, up to [`COUNT_CAP`].
    pub async fn count_view(&self, actor: &Actor, spec: &ViewSpec) -> Result<i64> {
        actor.require_staff()?;
        let mut pc = self.core.store.read().await?;
        let mut c = pc.conn();
        let mine: Vec<GroupId> = c
            .groups_of(actor.id)
            .await?
            .into_iter()
            .map(|g| g.0)
            .collect();
        let groups: Vec<(String, GroupId)> = c
            .groups()
            .await?
            .into_iter()
            .map(|g| (g.name, g.id))
            .collect();
        let count = self.count_of(actor, spec, &mine, &groups);
        Ok(c.count_view(&count, COUNT_CAP).await?)
    }

    /// What a console page counts, in one read: the built-in queues, the views `actor` sees
    /// and `extra` (an unsaved filtered queue), each up to [`COUNT_CAP`]; and the names of all
    /// groups and of the agent's.
    pub async fn console_counts(
        &self,
        actor: &Actor,
        extra: Option<&ViewSpec>,
    ) -> Result<ConsoleCounts> {
        actor.require_staff()?;
        let mut pc = self.core.store.read().await?;
        let mut c = pc.conn();
        let mine = c.groups_of(actor.id).await?;
        let mine_ids: Vec<GroupId> = mine.iter().map(|g| g.0).collect();
        let mut groups: Vec<(String, GroupId)> = c
            .groups()
            .await?
            .into_iter()
            .map(|g| (g.name, g.id))
            .collect();
        groups.sort();
        let views = c
            .views_for(actor.id)
            .await?
            .into_iter()
            .map(from_record)
            .collect::<Result<Vec<_>>>()?;
        let mut counts: Vec<(ViewCount, i64)> = Queue::ALL
            .iter()
            .map(|q| {
                let spec = ViewSpec {
                    queue: *q,
                    ..crate::views::plain_queue()
                };
                (self.count_of(actor, &spec, &mine_ids, &groups), COUNT_CAP)
            })
            .collect();
        counts.extend(
            views
                .iter()
                .map(|v| (self.count_of(actor, &v.spec, &mine_ids, &groups), COUNT_CAP)),
        );
        if let Some(spec) = extra {
            counts.push((self.count_of(actor, spec, &mine_ids, &groups), COUNT_CAP));
        }
        let mut numbers = c.count_many(&counts).await?.into_iter();
        let queues = Queue::ALL
            .iter()
            .map(|q| (*q, numbers.next().unwrap_or(0)))
            .collect();
        let views = views
            .into_iter()
            .map(|v| (v, numbers.next().unwrap_or(0)))
            .collect();
        Ok(ConsoleCounts {
            queues,
            views,
            extra: numbers.next().unwrap_or(0),
            groups: groups.into_iter().map(|(name, _)| name).collect(),
            my_groups: mine.into_iter().map(|g| g.1).collect(),
        })
    }

    /// The store's count of `spec` for `actor`, given the ids of the agent's groups and every
    /// group's `(name, id)`; a group that does not exist counts nothing.
    fn count_of(
        &self,
        actor: &Actor,
        spec: &ViewSpec,
        mine: &[GroupId],
        groups: &[(String, GroupId)],
    ) -> ViewCount {
        let mut count = ViewCount {
            statuses: spec.queue.statuses(),
            priorities: spec.priorities.clone(),
            category_path: spec.category.as_ref().map(|c| c.as_str().to_owned()),
            text: spec.text.clone(),
            ..ViewCount::default()
        };
        let group = spec
            .group
            .as_ref()
            .map(|name| groups.iter().find(|(n, _)| n == name).map(|(_, id)| *id));
        if spec.queue == Queue::Mine {
            count.assignee_id = Some(Some(actor.id));
        } else if spec.queue.unassigned() {
            count.assignee_id = Some(None);
        } else if spec.queue == Queue::Recent {
            count.updated_since = Some(self.core.now().as_micros() - RECENT_SECS * 1_000_000);
        }
        count.sla = spec.queue.sla().map(|s| s.as_of(self.core.now()));
        count.group_ids = match (spec.queue.in_my_groups(), group) {
            // A group that does not exist: nothing.
            (_, Some(None)) => Some(Vec::new()),
            (true, Some(Some(g))) => Some(mine.iter().copied().filter(|m| *m == g).collect()),
            (true, None) => Some(mine.to_vec()),
            (false, Some(Some(g))) => Some(vec![g]),
            (false, None) => None,
        };
        count
    }

    /// A page of a view's tickets in its order, after the sort key `after`.
    pub async fn view_tickets(
        &self,
        actor: &Actor,
        spec: &ViewSpec,
        after: Option<Vec<i64>>,
        limit: i64,
    ) -> Result<Page> {
        actor.require_staff()?;
        let mut q = ListQuery {
            statuses: spec.queue.statuses(),
            priorities: spec.priorities.clone(),
            category: spec.category.clone(),
            text: spec.text.clone(),
            sla: spec.queue.sla(),
            after,
            ..ListQuery::new(spec.sort, limit)
        };
        if spec.queue == Queue::Mine {
            q.assignee = Some(Some(actor.email.clone()));
        } else if spec.queue.unassigned() {
            q.assignee = Some(None);
        } else if spec.queue == Queue::Recent {
            q.updated_since = Some(Timestamp::from_micros(
                self.core.now().as_micros() - RECENT_SECS * 1_000_000,
            ));
        }
        if spec.queue.in_my_groups() {
            match &spec.group {
                None => return self.in_my_groups(actor, q).await,
                Some(g) if !self.my_groups(actor).await?.contains(g) => {
                    return Ok(Page {
                        items: Vec::new(),
                        next: None,
                    });
                }
                Some(_) => {}
            }
        }
        if let Some(g) = &spec.group {
            q.group = Some(Some(g.clone()));
        }
        self.tickets().list_tickets(actor, q).await
    }
}

impl Views {
    /// Every group's name, for filter and sharing choices.
    pub async fn group_names(&self, actor: &Actor) -> Result<Vec<String>> {
        actor.require_staff()?;
        let mut pc = self.core.store.read().await?;
        let mut names: Vec<String> = pc
            .conn()
            .groups()
            .await?
            .into_iter()
            .map(|g| g.name)
            .collect();
        names.sort();
        Ok(names)
    }
}
