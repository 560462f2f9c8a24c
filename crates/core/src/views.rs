//! Saved views: an agent's named queue — one of the built-in queues narrowed by priority,
//! group, category and words, read in a chosen order — kept private or shared with a group
//! (its members, or a manager or admin, may share) or with every agent (managers and admins
//! may). Anyone who sees a view can open it; its owner, and managers and admins for shared
//! views, rename, change or delete it.
//!
//! A view's tickets are the queue's list with the filters added, and its count is the same
//! filters counted up to [`COUNT_CAP`], so a view over most of the desk still costs a bounded
//! read.

use frontline_domain::{
    CategoryPath, DomainError, Email, Priority, Timestamp, ViewRecord, ViewVisibility,
};
use frontline_domain::{Sort, SortKey};
use frontline_store::views::{ViewCount, ViewValues};
use serde::{Deserialize, Serialize};

use crate::queues::{Queue, RECENT_SECS};
use crate::tickets::{ListQuery, Page};
use crate::{Actor, CoreError, Result, Views};

/// Counts stop here; the console shows "10000+".
pub const COUNT_CAP: i64 = 10_000;
/// How long a view's name may be.
const NAME_MAX: usize = 60;
/// How many views one person may own.
const MOST_VIEWS: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    Private,
    /// The members of this group.
    Group(String),
    Everyone,
}

impl Visibility {
    /// Who sees it, without the group's name: what the store keeps.
    pub fn kind(&self) -> ViewVisibility {
        match self {
            Visibility::Private => ViewVisibility::Private,
            Visibility::Group(_) => ViewVisibility::Group,
            Visibility::Everyone => ViewVisibility::Everyone,
        }
    }

    pub fn as_str(&self) -> &'static str {
        self.kind().as_str()
    }
}

/// What a view holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewSpec {
    pub name: String,
    pub visibility: Visibility,
    pub queue: Queue,
    /// Any of these priorities; empty for any.
    pub priorities: Vec<Priority>,
    /// Only this group's tickets.
    pub group: Option<String>,
    /// This category and everything below it.
    pub category: Option<CategoryPath>,
    /// Words in the subject or description.
    pub text: Option<String>,
    pub sort: Sort,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedView {
    pub id: i64,
    pub owner_id: i64,
    pub owner: String,
    pub spec: ViewSpec,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl SavedView {
    /// Whether `actor` may rename, change or delete it.
    pub fn editable_by(&self, actor: &Actor) -> bool {
        self.owner_id == actor.id
            || (self.spec.visibility != Visibility::Private && actor.role.can_configure())
    }
}

/// Everything a console page counts (see [`Views::console_counts`]).
#[derive(Debug)]
pub struct ConsoleCounts {
    /// Each built-in queue, up to [`COUNT_CAP`].
    pub queues: Vec<(Queue, i64)>,
    /// Each view the agent sees, up to [`COUNT_CAP`].
    pub views: Vec<(SavedView, i64)>,
    /// The unsaved filtered queue asked for, up to [`COUNT_CAP`]; 0 when none was.
    pub extra: i64,
    /// Every group's name, sorted.
    pub groups: Vec<String>,
    /// The names of the agent's groups.
    pub my_groups: Vec<String>,
}

/// A built-in queue as a view with no filters, in its default order.
pub fn plain_queue() -> ViewSpec {
    ViewSpec {
        name: String::new(),
        visibility: Visibility::Private,
        queue: Queue::Mine,
        priorities: Vec::new(),
        group: None,
        category: None,
        text: None,
        sort: Queue::Mine.default_sort(),
    }
}

/// The filters column: names as people write them.
#[derive(Debug, Serialize, Deserialize)]
struct Stored {
    queue: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    priorities: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    q: Option<String>,
}

/// `priority`, `-created`, … as in the API's `sort` parameter.
pub fn sort_text(sort: Sort) -> String {
    let key = match sort.key {
        SortKey::Priority => "priority",
        SortKey::Created => "created",
        SortKey::Updated => "updated",
        SortKey::Due => "due",
    };
    if sort.descending {
        format!("-{key}")
    } else {
        key.to_owned()
    }
}

pub fn parse_sort(text: &str) -> Option<Sort> {
    let (descending, key) = match text.strip_prefix('-') {
        Some(k) => (true, k),
        None => (false, text),
    };
    let key = match key {
        "priority" => SortKey::Priority,
        "created" => SortKey::Created,
        "updated" => SortKey::Updated,
        "due" => SortKey::Due,
        _ => return None,
    };
    Some(Sort { key, descending })
}

/// A view's name: trimmed, 1 to 60 characters, one line.
pub fn view_name(raw: &str) -> Result<String, DomainError> {
    frontline_domain::text::clean_text("name", raw, NAME_MAX, false)
}

fn corrupt(id: i64, what: &str) -> CoreError {
    CoreError::Internal(format!("saved view {id} holds {what}"))
}

fn from_record(r: ViewRecord) -> Result<SavedView> {
    let stored: Stored = serde_json::from_str(&r.filters)
        .map_err(|e| corrupt(r.id, &format!("bad filters: {e}")))?;
    let queue = Queue::parse(&stored.queue).ok_or_else(|| corrupt(r.id, "an unknown queue"))?;
    let priorities = stored
        .priorities
        .iter()
        .map(|p| Priority::parse("priority", p))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| corrupt(r.id, "an unknown priority"))?;
    let category = stored
        .category
        .map(|c| CategoryPath::parse("category", &c))
        .transpose()
        .map_err(|_| corrupt(r.id, "a bad category"))?;
    let visibility = match (r.visibility, r.shared_group) {
        (ViewVisibility::Everyone, _) => Visibility::Everyone,
        (ViewVisibility::Group, Some(g)) => Visibility::Group(g),
        _ => Visibility::Private,
    };
    let sort = parse_sort(&r.sort).ok_or_else(|| corrupt(r.id, "an unknown sort"))?;
    Ok(SavedView {
        id: r.id,
        owner_id: r.owner_id,
        owner: r.owner_email,
        spec: ViewSpec {
            name: r.name,
            visibility,
            queue,
            priorities,
            group: stored.group,
            category,
            text: stored.q,
            sort,
        },
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

fn stored(spec: &ViewSpec) -> Result<String> {
    let s = Stored {
        queue: spec.queue.as_str().to_owned(),
        priorities: spec
            .priorities
            .iter()
            .map(|p| p.as_str().to_owned())
            .collect(),
        group: spec.group.clone(),
        category: spec.category.as_ref().map(|c| c.as_str().to_owned()),
        q: spec
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| t.chars().take(200).collect()),
    };
    serde_json::to_string(&s).map_err(|e| CoreError::Internal(format!("cannot store a view: {e}")))
}

impl Views {
    /// The views `actor` sees: their own and those shared with them, by name.
    pub async fn list(&self, actor: &Actor) -> Result<Vec<SavedView>> {
        actor.require_staff()?;
        let mut pc = self.core.store.read().await?;
        let rows = pc.conn().views_for(actor.id).await?;
        rows.into_iter().map(from_record).collect()
    }

    /// One view, when `actor` sees it.
    pub async fn view(&self, actor: &Actor, id: i64) -> Result<SavedView> {
        actor.require_staff()?;
        let mut pc = self.core.store.read().await?;
        let mut c = pc.conn();
        let row = c.view_by_id(id).await?.ok_or(CoreError::NotFound("view"))?;
        let visible = row.owner_id == actor.id
            || row.visibility == ViewVisibility::Everyone
            || (row.visibility == ViewVisibility::Group
                && match row.shared_group_id {
                    Some(g) => c.is_group_member(g, actor.id).await?,
                    None => false,
                });
        if !visible {
            return Err(CoreError::NotFound("view"));
        }
        from_record(row)
    }

    /// Checks who may share with whom and resolves the shared group; the group's id.
    async fn share_target(&self, actor: &Actor, spec: &ViewSpec) -> Result<Option<i64>> {
        let mut pc = self.core.store.read().await?;
        let mut c = pc.conn();
        if let Some(g) = &spec.group
            && c.group_by_name(g).await?.is_none()
        {
            return Err(CoreError::invalid(
                "group",
                format!("no group is named {g:?}"),
            ));
        }
        match &spec.visibility {
            Visibility::Private => Ok(None),
            Visibility::Everyone if actor.role.can_configure() => Ok(None),
            Visibility::Everyone => Err(CoreError::forbidden(
                "only managers and admins may share a view with every agent",
            )),
            Visibility::Group(name) => {
                let group = c.group_by_name(name).await?.ok_or_else(|| {
                    CoreError::invalid("shared_with", format!("no group is named {name:?}"))
                })?;
                if actor.role.can_configure() || c.is_group_member(group.id, actor.id).await? {
                    Ok(Some(group.id))
                } else {
                    Err(CoreError::forbidden(
                        "you may share a view only with a group you belong to",
                    ))
                }
            }
        }
    }

    /// Saves a new view owned by `actor`.
    pub async fn add_view(&self, actor: &Actor, spec: ViewSpec) -> Result<SavedView> {
        actor.require_staff()?;
        let name = view_name(&spec.name)?;
        let group_id = self.share_target(actor, &spec).await?;
        let filters = stored(&spec)?;
        let sort = sort_text(spec.sort);
        let mut tx = self.core.begin().await?;
        let mut c = tx.conn();
        let owned = c
            .views_for(actor.id)
            .await?
            .iter()
            .filter(|v| v.owner_id == actor.id)
            .count();
        if owned >= MOST_VIEWS {
            return Err(CoreError::Conflict(format!(
                "you already have {MOST_VIEWS} saved views; delete one first"
            )));
        }
        let values = ViewValues {
            name: &name,
            visibility: spec.visibility.kind(),
            shared_group_id: group_id,
            filters: &filters,
            sort: &sort,
        };
        let id = c
            .insert_view(actor.id, &values, self.core.now().as_micros())
            .await
            .map_err(|e| duplicate_name(e, &name))?;
        tx.commit().await?;
        self.view(actor, id).await
    }

    /// Replaces what a view holds (its name, sharing, queue, filters and sort).
    pub async fn change_view(&self, actor: &Actor, id: i64, spec: ViewSpec) -> Result<SavedView> {
        let current = self.view(actor, id).await?;
        if !current.editable_by(actor) {
            return Err(CoreError::forbidden(
                "only its owner, or a manager or admin, may change a shared view",
            ));
        }
        let name = view_name(&spec.name)?;
        let group_id = self.share_target(actor, &spec).await?;
        let filters = stored(&spec)?;
        let sort = sort_text(spec.sort);
        let values = ViewValues {
            name: &name,
            visibility: spec.visibility.kind(),
            shared_group_id: group_id,
            filters: &filters,
            sort: &sort,
        };
        let mut tx = self.core.begin().await?;
        let changed = tx
            .conn()
            .update_view(id, &values, self.core.now().as_micros())
            .await
            .map_err(|e| duplicate_name(e, &name))?;
        if !changed {
            return Err(CoreError::NotFound("view"));
        }
        tx.commit().await?;
        self.view(actor, id).await
    }

    /// Renames a view, keeping everything else.
    pub async fn rename_view(&self, actor: &Actor, id: i64, name: &str) -> Result<SavedView> {
        let current = self.view(actor, id).await?;
        let spec = ViewSpec {
            name: name.to_owned(),
            ..current.spec
        };
        self.change_view(actor, id, spec).await
    }

    pub async fn delete_view(&self, actor: &Actor, id: i64) -> Result<()> {
        let current = self.view(actor, id).await?;
        if !current.editable_by(actor) {
            return Err(CoreError::forbidden(
                "only its owner, or a manager or admin, may delete a shared view",
            ));
        }
        let mut tx = self.core.begin().await?;
        tx.conn().delete_view(id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// How many tickets each view `actor` sees holds, up to [`COUNT_CAP`].
    pub async fn views_with_counts(&self, actor: &Actor) -> Result<Vec<(SavedView, i64)>> {
        Ok(self.console_counts(actor, None).await?.views)
    }

    /// How many tickets a view holds for `actor`, up to [`COUNT_CAP`].
    pub async fn count_view(&self, actor: &Actor, spec: &ViewSpec) -> Result<i64> {
        actor.require_staff()?;
        let mut pc = self.core.store.read().await?;
        let mut c = pc.conn();
        let mine: Vec<i64> = c
            .groups_of(actor.id)
            .await?
            .into_iter()
            .map(|g| g.0)
            .collect();
        let groups: Vec<(String, i64)> = c
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
        let mine_ids: Vec<i64> = mine.iter().map(|g| g.0).collect();
        let mut groups: Vec<(String, i64)> = c
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
        mine: &[i64],
        groups: &[(String, i64)],
    ) -> ViewCount {
        let mut count = ViewCount {
            statuses: spec
                .queue
                .statuses()
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect(),
            priorities: spec.priorities.iter().map(|p| p.rank()).collect(),
            category_path: spec.category.as_ref().map(|c| c.as_str().to_owned()),
            text: spec.text.clone(),
            ..ViewCount::default()
        };
        let group = spec
            .group
            .as_ref()
            .map(|name| groups.iter().find(|(n, _)| n == name).map(|(_, id)| *id));
        match spec.queue {
            Queue::Mine => count.assignee_id = Some(Some(actor.id)),
            Queue::Unassigned => count.assignee_id = Some(None),
            Queue::Recent => {
                count.updated_since = Some(self.core.now().as_micros() - RECENT_SECS * 1_000_000);
            }
            Queue::Open | Queue::Pending => {}
        }
        count.group_ids = match (spec.queue, group) {
            // A group that does not exist: nothing.
            (_, Some(None)) => Some(Vec::new()),
            (Queue::Unassigned, Some(Some(g))) => {
                Some(mine.iter().copied().filter(|m| *m == g).collect())
            }
            (Queue::Unassigned, None) => Some(mine.to_vec()),
            (_, Some(Some(g))) => Some(vec![g]),
            (_, None) => None,
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
            after,
            ..ListQuery::new(spec.sort, limit)
        };
        match spec.queue {
            Queue::Mine => q.assignee = Some(Some(Email::parse("assignee", &actor.email)?)),
            Queue::Recent => {
                q.updated_since = Some(Timestamp::from_micros(
                    self.core.now().as_micros() - RECENT_SECS * 1_000_000,
                ));
            }
            Queue::Unassigned => match &spec.group {
                None => return self.unassigned_in_groups(actor, q).await,
                Some(g) => {
                    if !self.my_groups(actor).await?.contains(g) {
                        return Ok(Page {
                            items: Vec::new(),
                            next: None,
                        });
                    }
                    q.assignee = Some(None);
                }
            },
            Queue::Open | Queue::Pending => {}
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

/// A second view of one owner with the same name is refused with a message that says so.
fn duplicate_name(e: frontline_store::StoreError, name: &str) -> CoreError {
    match e {
        frontline_store::StoreError::Duplicate(_) => CoreError::Conflict(format!(
            "you already have a view named {name:?}; pick another name"
        )),
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_round_trip_through_text() {
        for text in ["priority", "-created", "created", "-updated", "due", "-due"] {
            let sort = parse_sort(text).expect("a known sort");
            assert_eq!(sort_text(sort), text);
        }
        assert_eq!(parse_sort("status"), None);
    }

    #[test]
    fn names_are_one_short_line() {
        assert_eq!(view_name("  VPN P1s ").expect("valid"), "VPN P1s");
        assert!(view_name("").is_err());
        assert!(view_name("a\nb").is_err());
        assert!(view_name(&"x".repeat(61)).is_err());
    }
}
