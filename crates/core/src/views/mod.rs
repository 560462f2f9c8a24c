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
    CategoryPath, DomainError, Priority, Timestamp, UserId, ViewId, ViewVisibility,
};
use frontline_domain::{Sort, SortKey};

use crate::queues::Queue;
use crate::{Actor, Result};

mod counts;
mod edit;
mod stored;

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
    pub id: ViewId,
    pub owner_id: UserId,
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
