//! The header's search, for finding anything from any console page: a ticket number opens
//! the ticket; a name or email finds the people and links to their tickets; words find tickets
//! by subject, description and conversation (replies and internal notes), closed ones
//! included, narrowed by the queues' filters. It reads through the ticket list the queues use;
//! the search engine will take over what runs behind it.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use frontline_core::CoreError;
use frontline_core::tickets::ListQuery;
use frontline_core::views::{parse_sort, sort_text};
use frontline_domain::{Email, Priority, Sort, SortKey, Status};
use serde::Deserialize;

use super::choices::{named, priority_choices, with_none};
use super::columns::SortHeads;
use super::paging::{self, after_of, page_link, ticket_number};
use super::sla::QueueRow;
use crate::error::{UiError, encode};
use crate::session::Staff;
use crate::view::{Chrome, Opt, words};

crate::screens! {
    /// What the search uses.
    SearchScreens {
    people: People,
    sla: Sla,
    tickets: Tickets,
    views: Views,
    }
}

/// Tickets shown per page of results.
const PAGE: i64 = 25;
/// People shown for a name or email.
const PEOPLE: i64 = 8;
/// The longest search kept.
const MAX_TEXT: usize = 200;

#[derive(Deserialize, Default, Clone)]
pub(crate) struct SearchQuery {
    pub q: Option<String>,
    /// `open` (being worked or pending), `closed` (resolved or closed) or `all` (default).
    pub scope: Option<String>,
    /// `P1`…`P4`.
    pub priority: Option<String>,
    /// A group's name.
    pub group: Option<String>,
    /// A requester's email: their tickets, instead of words.
    pub requester: Option<String>,
    pub sort: Option<String>,
    /// Where the page starts: the sort key of the previous page's last ticket, `.`-joined.
    pub after: Option<String>,
}

/// A person the words found.
pub(crate) struct PersonLine {
    pub name: String,
    pub email: String,
    pub organization: String,
    pub role: String,
    /// Their tickets' search.
    pub href: String,
    /// A call logged for them.
    pub call_href: String,
}

#[derive(Template)]
#[template(path = "console/search.html")]
struct SearchPage {
    chrome: Chrome,
    title: String,
    /// The words, as typed.
    search: String,
    /// The requester whose tickets these are, as in the URL.
    requester: String,
    scopes: Vec<Opt>,
    priorities: Vec<Opt>,
    groups: Vec<Opt>,
    /// A ticket number that was asked for and does not exist (or is not to be seen).
    missing: String,
    people: Vec<PersonLine>,
    /// Whether there was anything to look for.
    asked: bool,
    rows: Vec<QueueRow>,
    heads: SortHeads,
    pick: bool,
    list: Listed,
}

/// How many tickets were found ("25+" when more pages follow) and the links to the next and
/// the first page.
pub(crate) struct Listed {
    shown: String,
    next: String,
    first: String,
}

/// The status scopes on offer: (value, label).
const SCOPES: [(&str, &str); 3] = [
    ("all", "Any status"),
    ("open", "Open and pending"),
    ("closed", "Solved and closed"),
];

/// What the scope asks for: (statuses, its value).
fn scope_of(text: Option<&str>) -> (Vec<Status>, &'static str) {
    match text {
        Some("open") => (
            Status::ALL.into_iter().filter(|s| s.is_active()).collect(),
            "open",
        ),
        Some("closed") => (
            Status::ALL.into_iter().filter(|s| !s.is_active()).collect(),
            "closed",
        ),
        _ => (Vec::new(), "all"),
    }
}

fn trimmed(v: &Option<String>) -> Option<String> {
    paging::trimmed(v, MAX_TEXT)
}

/// The search's URL with these parameters (no page position).
fn search_url(q: &SearchQuery, sort: Sort) -> String {
    let mut url = format!("/console/search?sort={}", encode(&sort_text(sort), false));
    let params = [
        ("q", &q.q),
        ("scope", &q.scope),
        ("priority", &q.priority),
        ("group", &q.group),
        ("requester", &q.requester),
    ];
    for (name, value) in params {
        if let Some(v) = trimmed(value) {
            url.push_str(&format!("&{name}={}", encode(&v, false)));
        }
    }
    url
}

pub(crate) async fn page(
    State(ui): State<SearchScreens>,
    Staff(signed): Staff,
    Query(q): Query<SearchQuery>,
) -> Result<Response, UiError> {
    let actor = signed.actor();
    let text = trimmed(&q.q);
    let mut missing = String::new();
    if let Some(n) = text.as_deref().and_then(ticket_number) {
        match ui.tickets.ticket(actor, n).await {
            Ok(_) => return Ok(Redirect::to(&format!("/console/tickets/{n}")).into_response()),
            Err(CoreError::NotFound(_)) => missing = format!("#{n}"),
            Err(e) => return Err(e.into()),
        }
    }
    let requester = match trimmed(&q.requester) {
        Some(r) => Some(
            Email::parse("requester", &r)
                .map_err(|e| UiError::BadRequest(format!("The requester {}.", e.message)))?,
        ),
        None => None,
    };
    let people = match (&requester, &text) {
        (None, Some(t)) => people_of(&ui.people, actor, t, PEOPLE).await?,
        _ => Vec::new(),
    };
    let mut found = tickets_of(&ui, actor, &q, text.clone(), requester.clone()).await?;
    let mut whose = match &requester {
        Some(r) => Some(person_name(&ui, actor, r).await?),
        None => None,
    };
    // Words that name one person and no ticket: that person's tickets.
    if let ([person], Some(f)) = (people.as_slice(), &found)
        && f.rows.is_empty()
    {
        let email = Email::from_parsed(person.email.clone());
        found = tickets_of(&ui, actor, &q, None, Some(email)).await?;
        whose = Some(person.name.clone());
    }
    let title = match (&whose, &text) {
        (Some(name), _) => format!("Tickets of {name}"),
        (None, Some(t)) => format!("Search: “{t}”"),
        (None, None) => "Search".to_owned(),
    };
    let asked = found.is_some();
    let (rows, heads, list) = found.unwrap_or_default().page(&q);
    let groups = ui.views.group_names(actor).await?;
    let group = trimmed(&q.group).unwrap_or_default();
    let priority = trimmed(&q.priority).unwrap_or_default();
    let page = SearchPage {
        chrome: signed.chrome("console"),
        title,
        search: text.clone().unwrap_or_default(),
        requester: requester.map(|r| r.to_string()).unwrap_or_default(),
        scopes: Opt::list(SCOPES, scope_of(q.scope.as_deref()).1),
        priorities: priority_choices(("", "Any"), &priority),
        groups: with_none("Any", named(groups), &group),
        missing,
        people,
        asked,
        rows,
        heads,
        pick: false,
        list,
    };
    Ok(Html(page.render()?).into_response())
}

/// The name of the person with this email, or the email when nobody has it.
async fn person_name(
    ui: &SearchScreens,
    actor: &frontline_core::Actor,
    email: &Email,
) -> Result<String, UiError> {
    Ok(ui
        .people
        .person(actor, email)
        .await?
        .map_or_else(|| email.to_string(), |u| u.name))
}

/// The people a name or email finds, at most `limit`.
pub(crate) async fn people_of(
    people: &frontline_core::People,
    actor: &frontline_core::Actor,
    text: &str,
    limit: i64,
) -> Result<Vec<PersonLine>, UiError> {
    Ok(people
        .find_people(actor, text, limit)
        .await?
        .into_iter()
        .map(|(u, org)| {
            let email = encode(u.email.as_str(), false);
            PersonLine {
                href: format!("/console/search?requester={email}"),
                call_href: format!(
                    "/console/new?requester={email}&name={}",
                    encode(&u.name, false)
                ),
                name: u.name,
                email: u.email.to_string(),
                organization: org.unwrap_or_default(),
                role: words(u.role.as_str()),
            }
        })
        .collect())
}

/// A page of the tickets found, and what it needs to be shown.
#[derive(Default)]
struct Found {
    rows: Vec<QueueRow>,
    sort: Option<Sort>,
    next: Option<Vec<i64>>,
    after: bool,
}

impl Found {
    /// The rows, their headers and the rest of what is shown of the tickets found.
    fn page(self, q: &SearchQuery) -> (Vec<QueueRow>, SortHeads, Listed) {
        let sort = self.sort.unwrap_or(NEWEST_CHANGE);
        let base = search_url(q, sort);
        let listed = Listed {
            shown: format!(
                "{}{}",
                self.rows.len(),
                if self.next.is_some() { "+" } else { "" }
            ),
            next: self
                .next
                .map(|key| page_link(&base, &key))
                .unwrap_or_default(),
            first: if self.after { base } else { String::new() },
        };
        (self.rows, SortHeads::of(sort, |s| search_url(q, s)), listed)
    }
}

/// Results are read most recently changed first unless the agent orders them otherwise.
const NEWEST_CHANGE: Sort = Sort {
    key: SortKey::Updated,
    descending: true,
};

/// The tickets the words (or the requester) find, with the filters; `None` when there is
/// nothing to look for.
async fn tickets_of(
    ui: &SearchScreens,
    actor: &frontline_core::Actor,
    q: &SearchQuery,
    text: Option<String>,
    requester: Option<Email>,
) -> Result<Option<Found>, UiError> {
    if text.is_none() && requester.is_none() {
        return Ok(None);
    }
    let sort = q
        .sort
        .as_deref()
        .and_then(parse_sort)
        .unwrap_or(NEWEST_CHANGE);
    let after = after_of(q.after.as_deref())?;
    let priorities = match trimmed(&q.priority) {
        Some(p) => vec![
            Priority::parse("priority", &p)
                .map_err(|e| UiError::BadRequest(format!("The priority {}.", e.message)))?,
        ],
        None => Vec::new(),
    };
    let list = ListQuery {
        statuses: scope_of(q.scope.as_deref()).0,
        priorities,
        group: trimmed(&q.group).map(Some),
        requester,
        text,
        text_in_comments: true,
        after: after.clone(),
        ..ListQuery::new(sort, PAGE)
    };
    let page = ui.tickets.list_tickets(actor, list).await?;
    let rows = QueueRow::list(&ui.sla, actor, &page.items).await?;
    Ok(Some(Found {
        rows,
        sort: Some(sort),
        next: page.next,
        after: after.is_some(),
    }))
}
