//! A saved view as the store keeps it: the filters as JSON with names as people write them,
//! read back into a [`SavedView`] (a value the desk no longer understands is an internal error).

use frontline_domain::{CategoryPath, Priority, ViewId, ViewRecord, ViewVisibility};
use serde::{Deserialize, Serialize};

use super::{SavedView, ViewSpec, Visibility, parse_sort};
use crate::queues::Queue;
use crate::{CoreError, Result};

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

pub(super) fn corrupt(id: ViewId, what: &str) -> CoreError {
    CoreError::Internal(format!("saved view {id} holds {what}"))
}

pub(super) fn from_record(r: ViewRecord) -> Result<SavedView> {
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
        owner: r.owner_email.to_string(),
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

pub(super) fn stored(spec: &ViewSpec) -> Result<String> {
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
