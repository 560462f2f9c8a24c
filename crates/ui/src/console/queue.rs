//! A queue: the tabs with their counts (the built-in queues, then the saved views the agent
//! sees), and a page of the chosen queue or view, narrowed by the filters in the URL, each
//! row with where its SLA stands.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use frontline_core::Actor;
use frontline_core::queues::Queue;
use frontline_core::views::{
    COUNT_CAP, ConsoleCounts, SavedView, ViewSpec, Visibility, parse_sort, sort_text,
};
use frontline_domain::Sort;
use frontline_domain::{Priority, Status, ViewId};
use serde::Deserialize;

use super::choices::{SortOption, named, priority_choices, share_choices, sort_choices, with_none};
use super::columns::SortHeads;
use super::paging::{after_of, page_link, trimmed};
use super::sla::QueueRow;
use crate::error::{UiError, encode};
use crate::session::Staff;
use crate::view::{Chrome, Opt, status_label};

crate::screens! {
    /// What the queue page uses.
    QueueScreens {
    people: People,
    sla: Sla,
    views: Views,
    }
}

/// Tickets shown per queue page.
const PAGE: i64 = 50;

#[derive(Deserialize)]
pub(crate) struct QueueQuery {
    pub queue: Option<String>,
    pub sort: Option<String>,
    /// Where the page starts: the sort key of the previous page's last ticket, `.`-joined.
    pub after: Option<String>,
    /// Words the subject or description must contain.
    pub q: Option<String>,
    /// A saved view's id: its queue, filters and sort replace the ones above.
    pub view: Option<ViewId>,
    /// `P1`…`P4`, or several joined by commas.
    pub priority: Option<String>,
    /// A group's name.
    pub group: Option<String>,
}

pub(crate) struct Tab {
    pub key: String,
    pub href: String,
    pub label: String,
    pub count: String,
    pub current: bool,
}

/// The saved view on screen, and what its owner may do with it.
pub(crate) struct ViewBox {
    pub id: ViewId,
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
    rows: Vec<QueueRow>,
    /// The headers that order the list.
    heads: SortHeads,
    /// Rows may be selected for the bulk form.
    pick: bool,
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

    Ok(ViewSpec {
        name: String::new(),
        visibility: Visibility::Private,
        queue,
        priorities,
        group: trimmed(&q.group, 200),
        category: None,
        text: trimmed(&q.q, 200),
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
    State(ui): State<QueueScreens>,
    Staff(signed): Staff,
    Query(q): Query<QueueQuery>,
) -> Result<Html<String>, UiError> {
    let actor = signed.actor();
    let views = &ui.views;
    let saved = match q.view {
        Some(id) => Some(views.view(actor, id).await?),
        None => None,
    };
    // A saved view keeps its filters; a header click may order it differently.
    let resorted = q.sort.as_deref().and_then(parse_sort);
    let spec = match &saved {
        Some(v) => ViewSpec {
            sort: resorted.unwrap_or(v.spec.sort),
            ..v.spec.clone()
        },
        None => spec_of(&q)?,
    };
    let after = after_of(q.after.as_deref())?;
    let link = |sort: Sort| sorted_link(saved.as_ref(), &spec, sort);
    let base = link(spec.sort);
    // The first page when this is not it; where the bulk form returns: this page.
    let first = after.as_ref().map(|_| base.clone()).unwrap_or_default();
    let back = after
        .as_ref()
        .map_or_else(|| base.clone(), |key| page_link(&base, key));
    let (assignees, statuses) = bulk_choices(&ui, actor).await?;
    // One read for every count on the page, and the group names the forms offer.
    let filtered = saved.is_none() && !plain(&spec);
    let counted = views
        .console_counts(actor, filtered.then_some(&spec))
        .await?;
    let page = views.view_tickets(actor, &spec, after, PAGE).await?;
    let rows = QueueRow::list(&ui.sla, actor, &page.items).await?;
    let next = page
        .next
        .map(|key| page_link(&base, &key))
        .unwrap_or_default();
    let (top_id, top_at) = views.desk_watermark(actor).await?;
    let count = count_shown(saved.as_ref(), &spec, filtered, &counted);
    let shares = share_choices(actor, &counted.groups, counted.my_groups);
    let priority: Vec<&str> = spec.priorities.iter().map(|p| p.as_str()).collect();
    let priority = priority.join(",");
    let group = spec.group.clone().unwrap_or_default();
    let title = match &saved {
        Some(v) => v.spec.name.clone(),
        None => spec.queue.label().to_owned(),
    };
    let page = QueuePage {
        chrome: signed.chrome("console"),
        tabs: queue_tabs(counted.queues, saved.as_ref(), &spec),
        views: view_tabs(&counted.views, saved.as_ref()),
        queue: spec.queue.as_str(),
        title,
        count: count_label(count),
        filtered: narrowed_by(saved.as_ref(), &spec),
        sorts: sort_choices(spec.sort),
        rows,
        heads: SortHeads::of(spec.sort, link),
        pick: true,
        watermark: format!("{top_id}-{top_at}"),
        next,
        first,
        back,
        search: spec.text.clone().unwrap_or_default(),
        priorities: priority_choices(("", "Any"), &priority),
        groups: with_none("Any", named(counted.groups), &group),
        priority,
        group,
        sort: sort_text(spec.sort),
        shares: Opt::list(shares, "private"),
        view: saved.as_ref().map(|v| ViewBox::of(v, actor)),
        assignees,
        statuses,
    };
    Ok(Html(page.render()?))
}

/// The link to this page in `sort` order: the saved view, or the queue with its filters.
fn sorted_link(saved: Option<&SavedView>, spec: &ViewSpec, sort: Sort) -> String {
    match saved {
        Some(v) => format!(
            "/console?view={}&sort={}",
            v.id,
            encode(&sort_text(sort), false)
        ),
        None => filters_url(&ViewSpec {
            sort,
            ..spec.clone()
        }),
    }
}

/// What the bulk form offers: the assignees (keep, me, nobody, then every staff member) and
/// the statuses.
async fn bulk_choices(ui: &QueueScreens, actor: &Actor) -> Result<(Vec<Opt>, Vec<Opt>), UiError> {
    let staff = ui.people.staff_members(actor).await?;
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
    Ok((assignees, statuses))
}

/// How many tickets the saved view, the filtered queue or the plain queue on screen holds.
fn count_shown(
    saved: Option<&SavedView>,
    spec: &ViewSpec,
    filtered: bool,
    counted: &ConsoleCounts,
) -> i64 {
    match saved {
        Some(v) => counted
            .views
            .iter()
            .find(|(s, _)| s.id == v.id)
            .map(|(_, n)| *n),
        None if filtered => Some(counted.extra),
        None => counted
            .queues
            .iter()
            .find(|(q, _)| *q == spec.queue)
            .map(|(_, n)| *n),
    }
    .unwrap_or(0)
}

/// A tab for each built-in queue; the one on screen is current unless a view is.
fn queue_tabs(counts: Vec<(Queue, i64)>, saved: Option<&SavedView>, spec: &ViewSpec) -> Vec<Tab> {
    counts
        .into_iter()
        .map(|(q, count)| Tab {
            key: q.as_str().to_owned(),
            href: format!("/console?queue={}", q.as_str()),
            label: q.label().to_owned(),
            count: count_label(count),
            current: saved.is_none() && q == spec.queue,
        })
        .collect()
}

/// A tab for each saved view the agent sees.
fn view_tabs(views: &[(SavedView, i64)], saved: Option<&SavedView>) -> Vec<Tab> {
    views
        .iter()
        .map(|(v, n)| Tab {
            key: format!("view-{}", v.id),
            href: format!("/console?view={}", v.id),
            label: v.spec.name.clone(),
            count: count_label(*n),
            current: saved.is_some_and(|s| s.id == v.id),
        })
        .collect()
}

/// What narrows the list, in words; a saved view names the queue it starts from.
fn narrowed_by(saved: Option<&SavedView>, spec: &ViewSpec) -> String {
    match saved {
        Some(_) => [format!("From “{}”", spec.queue.label()), describe(spec)]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(" · "),
        None => describe(spec),
    }
}

impl ViewBox {
    fn of(v: &SavedView, actor: &Actor) -> Self {
        ViewBox {
            id: v.id,
            name: v.spec.name.clone(),
            shared: shared_label(&v.spec.visibility),
            owner: v.owner.clone(),
            editable: v.editable_by(actor),
        }
    }
}
