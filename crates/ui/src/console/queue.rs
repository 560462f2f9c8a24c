//! A queue: the tabs with their counts (the built-in queues, then the saved views the agent
//! sees), and a page of the chosen queue or view, narrowed by the filters in the URL.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use frontline_core::queues::Queue;
use frontline_core::views::{COUNT_CAP, ViewSpec, Visibility, sort_text};
use frontline_domain::{Priority, Status};
use frontline_domain::{Sort, SortKey};
use serde::Deserialize;

use crate::Ui;
use crate::error::{UiError, encode};
use crate::session::Staff;
use crate::view::{Chrome, Opt, TicketLine, status_label};

/// Tickets shown per queue page.
const PAGE: i64 = 50;

/// The orders an agent may pick: (value in the URL, label).
const SORTS: [(&str, &str); 4] = [
    ("priority", "Most urgent first"),
    ("-created", "Newest first"),
    ("created", "Oldest first"),
    ("-updated", "Recently changed first"),
];

fn parse_sort(text: &str) -> Option<Sort> {
    let (descending, key) = match text.strip_prefix('-') {
        Some(k) => (true, k),
        None => (false, text),
    };
    let key = match key {
        "priority" => SortKey::Priority,
        "created" => SortKey::Created,
        "updated" => SortKey::Updated,
        _ => return None,
    };
    Some(Sort { key, descending })
}

#[derive(Deserialize)]
pub(crate) struct QueueQuery {
    pub queue: Option<String>,
    pub sort: Option<String>,
    /// Where the page starts: the sort key of the previous page's last ticket, `.`-joined.
    pub after: Option<String>,
    /// Words the subject or description must contain.
    pub q: Option<String>,
    /// A saved view's id: its queue, filters and sort replace the ones above.
    pub view: Option<i64>,
    /// `P1`…`P4`, or several joined by commas.
    pub priority: Option<String>,
    /// A group's name.
    pub group: Option<String>,
}

fn parse_after(text: &str) -> Option<Vec<i64>> {
    text.split('.').map(|n| n.parse().ok()).collect()
}

pub(crate) struct Tab {
    pub key: String,
    pub href: String,
    pub label: String,
    pub count: String,
    pub current: bool,
}

pub(crate) struct SortOption {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

/// The saved view on screen, and what its owner may do with it.
pub(crate) struct ViewBox {
    pub id: i64,
    pub name: String,
    /// "Only you", "The Network group", "Every agent".
    pub shared: String,
    pub owner: String,
    pub editable: bool,
}

#[derive(Template)]
#[template(path = "console/queue.html")]
struct QueuePage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    views: Vec<Tab>,
    queue: &'static str,
    title: String,
    count: String,
    /// What narrows the list, in words ("P1 · group Network · “vpn”"); empty for none.
    filtered: String,
    sorts: Vec<SortOption>,
    tickets: Vec<TicketLine>,
    watermark: String,
    /// The link to the next page, when there is one.
    next: String,
    /// The link back to the first page, when this is not it.
    first: String,
    /// Where the bulk form returns to: this page.
    back: String,
    /// The search, as typed.
    search: String,
    /// The filter values, as in the URL.
    priority: String,
    group: String,
    sort: String,
    priorities: Vec<Opt>,
    groups: Vec<Opt>,
    /// Who a new view may be shared with.
    shares: Vec<Opt>,
    view: Option<ViewBox>,
    assignees: Vec<Opt>,
    statuses: Vec<Opt>,
}

/// A count as shown: capped counts end in "+".
pub(crate) fn count_label(n: i64) -> String {
    if n >= COUNT_CAP {
        format!("{COUNT_CAP}+")
    } else {
        n.to_string()
    }
}

fn shared_label(v: &Visibility) -> String {
    match v {
        Visibility::Private => "Only you".to_owned(),
        Visibility::Group(g) => format!("The {g} group"),
        Visibility::Everyone => "Every agent".to_owned(),
    }
}

/// The queue and filters the URL asks for, as an unsaved view.
pub(crate) fn spec_of(q: &QueueQuery) -> Result<ViewSpec, UiError> {
    let queue = match q.queue.as_deref() {
        None | Some("") => Queue::Mine,
        Some(name) => Queue::parse(name).ok_or(UiError::NotFound)?,
    };
    let sort = q
        .sort
        .as_deref()
        .and_then(parse_sort)
        .unwrap_or_else(|| queue.default_sort());
    let priorities = q
        .priority
        .as_deref()
        .unwrap_or("")
        .split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| Priority::parse("priority", p.trim()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| UiError::BadRequest(format!("The priority {}.", e.message)))?;
    let trimmed = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };
    Ok(ViewSpec {
        name: String::new(),
        visibility: Visibility::Private,
        queue,
        priorities,
        group: trimmed(&q.group),
        category: None,
        text: trimmed(&q.q).map(|t| t.chars().take(200).collect()),
        sort,
    })
}

/// The URL of a queue with these filters (no page position).
pub(crate) fn filters_url(spec: &ViewSpec) -> String {
    let mut url = format!(
        "/console?queue={}&sort={}",
        spec.queue.as_str(),
        encode(&sort_text(spec.sort), false)
    );
    if !spec.priorities.is_empty() {
        let p: Vec<&str> = spec.priorities.iter().map(|p| p.as_str()).collect();
        url.push_str(&format!("&priority={}", encode(&p.join(","), false)));
    }
    if let Some(g) = &spec.group {
        url.push_str(&format!("&group={}", encode(g, false)));
    }
    if let Some(t) = &spec.text {
        url.push_str(&format!("&q={}", encode(t, false)));
    }
    url
}

fn describe(spec: &ViewSpec) -> String {
    let mut parts = Vec::new();
    if !spec.priorities.is_empty() {
        let p: Vec<&str> = spec.priorities.iter().map(|p| p.as_str()).collect();
        parts.push(p.join(" or "));
    }
    if let Some(g) = &spec.group {
        parts.push(format!("group {g}"));
    }
    if let Some(c) = &spec.category {
        parts.push(format!("category {}", c.as_str()));
    }
    if let Some(t) = &spec.text {
        parts.push(format!("matching “{t}”"));
    }
    parts.join(" · ")
}

fn plain(spec: &ViewSpec) -> bool {
    spec.priorities.is_empty()
        && spec.group.is_none()
        && spec.category.is_none()
        && spec.text.is_none()
}

pub(crate) async fn page(
    State(ui): State<Ui>,
    Staff(signed): Staff,
    Query(q): Query<QueueQuery>,
) -> Result<Html<String>, UiError> {
    let actor = signed.actor();
    let saved = match q.view {
        Some(id) => Some(ui.desk.view(actor, id).await?),
        None => None,
    };
    let spec = match &saved {
        Some(v) => v.spec.clone(),
        None => spec_of(&q)?,
    };
    let after = match q.after.as_deref() {
        None | Some("") => None,
        Some(text) => Some(parse_after(text).ok_or_else(|| {
            UiError::BadRequest(
                "That page of the queue does not exist; start from the first.".into(),
            )
        })?),
    };
    let base = match &saved {
        Some(v) => format!("/console?view={}", v.id),
        None => filters_url(&spec),
    };
    let first = if after.is_some() {
        base.clone()
    } else {
        String::new()
    };
    let back = match &after {
        Some(key) => {
            let key: Vec<String> = key.iter().map(i64::to_string).collect();
            format!("{base}&after={}", key.join("."))
        }
        None => base.clone(),
    };
    let staff = ui.desk.staff_members(actor).await?;
    let assignees = Opt::list(
        [
            ("".to_owned(), "Keep".to_owned()),
            ("me".to_owned(), "Me".to_owned()),
            ("nobody".to_owned(), "Nobody".to_owned()),
        ]
        .into_iter()
        .chain(staff),
        "",
    );
    let statuses = Opt::list(
        std::iter::once(("", "Keep"))
            .chain(Status::ALL.map(|s| (s.as_str(), status_label(s.as_str())))),
        "",
    );
    // One read for every count on the page, and the group names the forms offer.
    let filtered = saved.is_none() && !plain(&spec);
    let counted = ui
        .desk
        .console_counts(actor, filtered.then_some(&spec))
        .await?;
    let (counts, views) = (counted.queues, counted.views);
    let page = ui.desk.view_tickets(actor, &spec, after, PAGE).await?;
    let next = page
        .next
        .map(|key| {
            let key: Vec<String> = key.iter().map(i64::to_string).collect();
            format!("{base}&after={}", key.join("."))
        })
        .unwrap_or_default();
    let tickets = page.items;
    let (top_id, top_at) = ui.desk.desk_watermark(actor).await?;
    let count = match &saved {
        Some(v) => views.iter().find(|(s, _)| s.id == v.id).map(|(_, n)| *n),
        None if filtered => Some(counted.extra),
        None => counts
            .iter()
            .find(|(q, _)| *q == spec.queue)
            .map(|(_, n)| *n),
    }
    .unwrap_or(0);
    let group_names = counted.groups;
    let share_groups = if actor.role.can_configure() {
        group_names.clone()
    } else {
        counted.my_groups
    };
    let mut shares = vec![("private".to_owned(), "Only me".to_owned())];
    shares.extend(
        share_groups
            .into_iter()
            .map(|g| (format!("group:{g}"), format!("The {g} group"))),
    );
    if actor.role.can_configure() {
        shares.push(("everyone".to_owned(), "Every agent".to_owned()));
    }
    let priority: Vec<&str> = spec.priorities.iter().map(|p| p.as_str()).collect();
    let priority = priority.join(",");
    let group = spec.group.clone().unwrap_or_default();
    let title = match &saved {
        Some(v) => v.spec.name.clone(),
        None => spec.queue.label().to_owned(),
    };
    let page = QueuePage {
        chrome: signed.chrome("console"),
        tabs: counts
            .into_iter()
            .map(|(q, count)| Tab {
                key: q.as_str().to_owned(),
                href: format!("/console?queue={}", q.as_str()),
                label: q.label().to_owned(),
                count: count_label(count),
                current: saved.is_none() && q == spec.queue,
            })
            .collect(),
        views: views
            .iter()
            .map(|(v, n)| Tab {
                key: format!("view-{}", v.id),
                href: format!("/console?view={}", v.id),
                label: v.spec.name.clone(),
                count: count_label(*n),
                current: saved.as_ref().is_some_and(|s| s.id == v.id),
            })
            .collect(),
        queue: spec.queue.as_str(),
        title,
        count: count_label(count),
        filtered: match &saved {
            Some(_) => [format!("From “{}”", spec.queue.label()), describe(&spec)]
                .into_iter()
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(" · "),
            None => describe(&spec),
        },
        sorts: SORTS
            .iter()
            .map(|(value, label)| SortOption {
                value,
                label,
                selected: parse_sort(value) == Some(spec.sort),
            })
            .collect(),
        tickets: tickets.iter().map(TicketLine::of).collect(),
        watermark: format!("{top_id}-{top_at}"),
        next,
        first,
        back,
        search: spec.text.clone().unwrap_or_default(),
        priorities: Opt::list(
            [("", "Any")]
                .into_iter()
                .chain(["P1", "P2", "P3", "P4"].map(|p| (p, p))),
            &priority,
        ),
        groups: Opt::list(
            [(String::new(), "Any".to_owned())]
                .into_iter()
                .chain(group_names.into_iter().map(|g| (g.clone(), g))),
            &group,
        ),
        priority,
        group,
        sort: sort_text(spec.sort),
        shares: Opt::list(shares, "private"),
        view: saved.as_ref().map(|v| ViewBox {
            id: v.id,
            name: v.spec.name.clone(),
            shared: shared_label(&v.spec.visibility),
            owner: v.owner.clone(),
            editable: v.editable_by(actor),
        }),
        assignees,
        statuses,
    };
    Ok(Html(page.render()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_parse_with_direction() {
        assert_eq!(
            parse_sort("-updated"),
            Some(Sort {
                key: SortKey::Updated,
                descending: true
            })
        );
        assert_eq!(parse_sort("status"), None);
        assert_eq!(
            parse_after("3.1700000000.42"),
            Some(vec![3, 1_700_000_000, 42])
        );
        assert_eq!(parse_after("3.x"), None);
        assert_eq!(encode("vpn & wifi/5", false), "vpn%20%26%20wifi%2F5");
    }
}
