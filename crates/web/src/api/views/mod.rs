//! `/api/v1/views`: saved views, the agent console's named queues. A view is a built-in queue
//! (`mine`, `unassigned`, `open`, `pending`, `recent`) narrowed by priorities, a group, a
//! category and words, read in a sort order, and shared with nobody (`private`), a group's
//! members (`group`, with `shared_group`) or every agent (`everyone`, managers and admins).
//! Its `count` stops at 10000 (`count_capped`).

pub mod change;
pub mod list;

use frontline_core::queues::Queue;
use frontline_core::views::{COUNT_CAP, SavedView, ViewSpec, Visibility, parse_sort, sort_text};
use frontline_domain::{CategoryPath, DomainError, Priority, Sort};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::Fields;
use crate::problem::ApiError;

#[derive(Debug, Serialize, ToSchema)]
pub struct View {
    pub id: i64,
    pub name: String,
    /// The owner's email.
    pub owner: String,
    /// private, group or everyone.
    pub visibility: String,
    /// The group a `group` view is shared with.
    pub shared_group: Option<String>,
    /// mine, groups (being worked in my groups), unassigned (in my groups), triage
    /// (unassigned, any group), open, breaching, breached, pending, recent, closed or all.
    pub queue: String,
    pub priority: Vec<String>,
    pub group: Option<String>,
    pub category: Option<String>,
    pub q: Option<String>,
    /// priority, created, updated or due; `-` prefix for descending.
    pub sort: String,
    /// Tickets in the view for the caller, counted up to 10000.
    pub count: i64,
    /// True when `count` stopped at the cap.
    pub count_capped: bool,
    /// Whether the caller may change or delete it.
    pub editable: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl View {
    pub fn of(v: SavedView, count: i64, editable: bool) -> Self {
        let s = v.spec;
        let (visibility, shared_group) = match s.visibility {
            Visibility::Group(g) => ("group".to_owned(), Some(g)),
            other => (other.as_str().to_owned(), None),
        };
        Self {
            id: v.id.get(),
            name: s.name,
            owner: v.owner,
            visibility,
            shared_group,
            queue: s.queue.as_str().to_owned(),
            priority: s.priorities.iter().map(|p| p.as_str().to_owned()).collect(),
            group: s.group,
            category: s.category.map(|c| c.as_str().to_owned()),
            q: s.text,
            sort: sort_text(s.sort),
            count,
            count_capped: count >= COUNT_CAP,
            editable,
            created_at: v.created_at.to_rfc3339(),
            updated_at: v.updated_at.to_rfc3339(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ViewList {
    pub items: Vec<View>,
}

/// A view as sent: every field of a new view, or on PATCH the ones to change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ViewBody {
    pub name: Option<String>,
    /// private (default), group or everyone.
    pub visibility: Option<String>,
    /// For `group` visibility: the group's name.
    #[serde(default, deserialize_with = "crate::api::nullable")]
    #[schema(value_type = Option<String>)]
    pub shared_group: Option<Option<String>>,
    /// mine, groups (being worked in my groups), unassigned (in my groups), triage (unassigned,
    /// any group), open (default), breaching (an SLA target due within two hours), breached,
    /// pending, recent, closed (resolved or closed) or all.
    pub queue: Option<String>,
    pub priority: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crate::api::nullable")]
    #[schema(value_type = Option<String>)]
    pub group: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::api::nullable")]
    #[schema(value_type = Option<String>)]
    pub category: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::api::nullable")]
    #[schema(value_type = Option<String>)]
    pub q: Option<Option<String>>,
    /// priority, created, updated or due, `-` for descending; default the queue's.
    pub sort: Option<String>,
}

fn empty_to_none(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// `body` laid over `base` (a new view's defaults, or the view as it is), every field checked
/// and every field that fails named in the one answer. A field not sent keeps `base`'s.
pub fn spec_of(base: ViewSpec, body: ViewBody) -> Result<ViewSpec, ApiError> {
    let mut f = Fields::default();
    let queue = f.take(body.queue.map_or(Ok(base.queue), |q| queue_of(&q)));
    let sort = f.take(body.sort.map_or(Ok(base.sort), |s| sort_of(&s)));
    let priorities = f.take(
        body.priority
            .map_or(Ok(base.priorities), |p| priorities_of(&p)),
    );
    let category = f.take(body.category.map_or(Ok(base.category), category_of));
    let visibility = f.take(visibility_of(
        body.visibility.as_deref(),
        body.shared_group,
        base.visibility,
    ));
    f.finish()?;
    match (queue, sort, priorities, category, visibility) {
        (Some(queue), Some(sort), Some(priorities), Some(category), Some(visibility)) => {
            Ok(ViewSpec {
                name: body.name.unwrap_or(base.name),
                visibility,
                queue,
                priorities,
                group: body.group.map_or(base.group, empty_to_none),
                category,
                text: body.q.map_or(base.text, empty_to_none),
                sort,
            })
        }
        _ => Err(ApiError::bad_request("invalid view")),
    }
}

fn queue_of(text: &str) -> Result<Queue, DomainError> {
    Queue::parse(text)
        .ok_or_else(|| DomainError::new("queue", format!("must be one of {}", Queue::names())))
}

fn sort_of(text: &str) -> Result<Sort, DomainError> {
    parse_sort(text).ok_or_else(|| {
        DomainError::new(
            "sort",
            "must be priority, created, updated or due, with `-` for descending",
        )
    })
}

fn priorities_of(list: &[String]) -> Result<Vec<Priority>, DomainError> {
    list.iter()
        .map(|p| Priority::parse("priority", p))
        .collect()
}

/// A sent category, where empty or `null` is none.
fn category_of(sent: Option<String>) -> Result<Option<CategoryPath>, DomainError> {
    empty_to_none(sent)
        .map(|c| CategoryPath::parse("category", &c))
        .transpose()
}

/// Who the view is shared with. A `group` view needs its group, sent or kept from `base`;
/// a group sent alone moves a `group` view to that group.
fn visibility_of(
    sent: Option<&str>,
    shared_group: Option<Option<String>>,
    base: Visibility,
) -> Result<Visibility, DomainError> {
    let shared_group = match shared_group {
        Some(g) => empty_to_none(g),
        None => match &base {
            Visibility::Group(g) => Some(g.clone()),
            _ => None,
        },
    };
    match sent {
        None => Ok(match (base, shared_group) {
            (Visibility::Group(_), Some(g)) => Visibility::Group(g),
            (other, _) => other,
        }),
        Some("private") => Ok(Visibility::Private),
        Some("everyone") => Ok(Visibility::Everyone),
        Some("group") => shared_group.map(Visibility::Group).ok_or_else(|| {
            DomainError::new(
                "shared_group",
                "names the group a `group` view is shared with",
            )
        }),
        Some(_) => Err(DomainError::new(
            "visibility",
            "must be private, group or everyone",
        )),
    }
}

/// What a new view starts from: all open tickets, most urgent first, private.
pub fn new_view() -> ViewSpec {
    ViewSpec {
        name: String::new(),
        visibility: Visibility::Private,
        queue: Queue::Open,
        priorities: Vec::new(),
        group: None,
        category: None,
        text: None,
        sort: Queue::Open.default_sort(),
    }
}
