//! A queue: the tabs with their counts and the first page of the chosen queue.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use frontline_core::queues::Queue;
use frontline_core::tickets::{Sort, SortKey};
use frontline_domain::{Role, Status};
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
    queue: Option<String>,
    sort: Option<String>,
    /// Where the page starts: the sort key of the previous page's last ticket, `.`-joined.
    after: Option<String>,
    /// Words the subject or description must contain.
    q: Option<String>,
}

fn parse_after(text: &str) -> Option<Vec<i64>> {
    text.split('.').map(|n| n.parse().ok()).collect()
}

pub(crate) struct Tab {
    pub key: &'static str,
    pub label: &'static str,
    pub count: i64,
    pub current: bool,
}

pub(crate) struct SortOption {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "console/queue.html")]
struct QueuePage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    queue: &'static str,
    title: &'static str,
    count: i64,
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
    assignees: Vec<Opt>,
    statuses: Vec<Opt>,
}

pub(crate) async fn page(
    State(ui): State<Ui>,
    Staff(signed): Staff,
    Query(q): Query<QueueQuery>,
) -> Result<Html<String>, UiError> {
    let actor = signed.actor();
    let queue = match q.queue.as_deref() {
        None | Some("") => Queue::Mine,
        Some(name) => Queue::parse(name).ok_or(UiError::NotFound)?,
    };
    let sort_text = q.sort.unwrap_or_default();
    let sort = parse_sort(&sort_text).unwrap_or_else(|| queue.default_sort());
    let after = match q.after.as_deref() {
        None | Some("") => None,
        Some(text) => Some(parse_after(text).ok_or_else(|| {
            UiError::BadRequest(
                "That page of the queue does not exist; start from the first.".into(),
            )
        })?),
    };
    let search = q.q.unwrap_or_default().trim().to_owned();
    let base = format!(
        "/console?queue={}{}&sort={}",
        queue.as_str(),
        if search.is_empty() {
            String::new()
        } else {
            format!("&q={}", encode(&search, false))
        },
        SORTS
            .iter()
            .map(|(v, _)| *v)
            .find(|v| parse_sort(v) == Some(sort))
            .unwrap_or("priority")
    );
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
    let mut staff = Vec::new();
    for role in [Role::Agent, Role::Manager, Role::Admin] {
        staff.extend(ui.desk.list_users(actor, Some(role), "", 500).await?);
    }
    staff.sort_by(|a, b| a.name.cmp(&b.name));
    let assignees = Opt::list(
        [
            ("".to_owned(), "Keep".to_owned()),
            ("me".to_owned(), "Me".to_owned()),
            ("nobody".to_owned(), "Nobody".to_owned()),
        ]
        .into_iter()
        .chain(staff.into_iter().map(|u| (u.email, u.name))),
        "",
    );
    let statuses = Opt::list(
        std::iter::once(("", "Keep"))
            .chain(Status::ALL.map(|s| (s.as_str(), status_label(s.as_str())))),
        "",
    );
    let counts = ui.desk.queue_counts(actor).await?;
    let text = (!search.is_empty()).then(|| search.clone());
    let page = ui
        .desk
        .queue_tickets(actor, queue, sort, after, text, PAGE)
        .await?;
    let next = page
        .next
        .map(|key| {
            let key: Vec<String> = key.iter().map(i64::to_string).collect();
            format!("{base}&after={}", key.join("."))
        })
        .unwrap_or_default();
    let tickets = page.items;
    let (top_id, top_at) = ui.desk.desk_watermark(actor).await?;
    let count = counts
        .iter()
        .find(|(q, _)| *q == queue)
        .map(|(_, n)| *n)
        .unwrap_or(0);
    let page = QueuePage {
        chrome: signed.chrome("console"),
        tabs: counts
            .into_iter()
            .map(|(q, count)| Tab {
                key: q.as_str(),
                label: q.label(),
                count,
                current: q == queue,
            })
            .collect(),
        queue: queue.as_str(),
        title: queue.label(),
        count,
        sorts: SORTS
            .iter()
            .map(|(value, label)| SortOption {
                value,
                label,
                selected: parse_sort(value) == Some(sort),
            })
            .collect(),
        tickets: tickets.iter().map(TicketLine::of).collect(),
        watermark: format!("{top_id}-{top_at}"),
        next,
        first,
        back,
        search,
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
