//! `GET /api/v1/tickets`: filtered, sorted, keyset-paginated lists.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use frontline_core::Actor;
use frontline_core::Tickets;
use frontline_core::tickets::{ListQuery, SlaQuery};
use frontline_domain::{
    CategoryPath, DomainError, Email, Priority, Status, Tag, TicketType, Timestamp,
};
use frontline_domain::{Sort, SortKey};
use utoipa::IntoParams;

use super::dto::{Ticket, TicketPage};
use crate::extract::unknown_parameter;
use crate::extract::{Auth, Cursor, PageParams, QueryPairs};
use crate::problem::{ApiError, ApiResult, Problem};

/// Filters combine with AND; a list parameter (status, priority, type) takes several values
/// separated by commas. `cf.<key>=<value>` filters on a custom field.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(
    dead_code,
    reason = "documents the query string; the handler reads raw pairs"
)]
pub struct TicketListParams {
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// priority, created, updated, due (SLA due soonest, overdue first, none last); `-`
    /// prefix for descending. Default `-created`.
    #[param(pattern = "^-?(priority|created|updated|due)$")]
    sort: Option<String>,
    status: Option<String>,
    priority: Option<String>,
    #[param(rename = "type")]
    ticket_type: Option<String>,
    /// A category and everything below it, e.g. `Network`.
    category: Option<String>,
    /// A group name, or `none`.
    group: Option<String>,
    /// An agent's email, `me`, or `none`.
    assignee: Option<String>,
    requester: Option<String>,
    organization: Option<String>,
    tag: Option<String>,
    /// RFC 3339; tickets changed at or after it.
    updated_since: Option<String>,
    /// Words in the subject or description: a ticket matches when every word is in one of
    /// them, in any order and ignoring case; a "quoted phrase" is one word. Up to 200
    /// characters are read.
    q: Option<String>,
    /// Where the words of `q` are looked for: `subject` (the subject and description, the
    /// default) or `conversation` (also every reply and internal note; staff only, a
    /// requester's search stays on subjects and descriptions).
    #[param(pattern = "^(subject|conversation)$")]
    q_in: Option<String>,
    /// `breached` (an SLA target breached) or `due_within:<minutes>` (due within that many
    /// minutes, not overdue yet; 1–525600).
    sla: Option<String>,
}

#[utoipa::path(
    get, path = "/api/v1/tickets", tag = "tickets",
    params(TicketListParams),
    responses((status = 200, body = TicketPage), (status = 400, body = Problem), (status = 401, body = Problem)),
    security(("bearer" = []))
)]
pub async fn list_tickets(
    State(tickets): State<Tickets>,
    Auth(actor): Auth,
    QueryPairs(pairs): QueryPairs,
) -> ApiResult<Json<TicketPage>> {
    let (query, tag) = parse_query(&actor, &pairs)?;
    let page = tickets.list_tickets(&actor, query).await?;
    Ok(Json(TicketPage {
        items: page.items.into_iter().map(Ticket::from).collect(),
        next_cursor: page.next.map(|k| Cursor::encode(&tag, &k)),
    }))
}

fn bad(field: &str, e: DomainError) -> ApiError {
    ApiError::field(StatusCode::BAD_REQUEST, field, e.message)
}

fn list<T>(
    field: &str,
    raw: &str,
    parse: impl Fn(&str) -> Result<T, DomainError>,
) -> Result<Vec<T>, ApiError> {
    raw.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| parse(s.trim()).map_err(|e| bad(field, e)))
        .collect()
}

fn optional_name(raw: &str) -> Option<String> {
    (raw != "none").then(|| raw.to_owned())
}

/// `breached` or `due_within:<minutes>`, at most a year ahead.
fn sla(raw: &str) -> Result<SlaQuery, ApiError> {
    if raw == "breached" {
        return Ok(SlaQuery::Breached);
    }
    raw.strip_prefix("due_within:")
        .and_then(|m| m.parse::<u32>().ok())
        .filter(|m| (1..=525_600).contains(m))
        .map(SlaQuery::DueWithin)
        .ok_or_else(|| {
            ApiError::field(
                StatusCode::BAD_REQUEST,
                "sla",
                "must be breached or due_within:<minutes> (1 to 525600)",
            )
        })
}

/// `q_in`: whether the words are looked for in the conversation too.
fn in_conversation(v: &str) -> Result<bool, ApiError> {
    match v {
        "subject" => Ok(false),
        "conversation" => Ok(true),
        _ => Err(ApiError::field(
            StatusCode::BAD_REQUEST,
            "q_in",
            "must be subject or conversation",
        )),
    }
}

/// The list query and the cursor tag of its sort order.
fn parse_query(actor: &Actor, pairs: &[(String, String)]) -> Result<(ListQuery, String), ApiError> {
    let default_sort = Sort {
        key: SortKey::Created,
        descending: true,
    };
    let mut q = ListQuery::new(default_sort, PageParams::DEFAULT_LIMIT);
    let mut cursor = None;
    let mut tag = "-created".to_owned();
    for (k, v) in pairs {
        match k.as_str() {
            "limit" => q.limit = PageParams::parse_limit(v)?,
            "cursor" => cursor = Some(v.clone()),
            "sort" => {
                let (descending, name) = match v.strip_prefix('-') {
                    Some(n) => (true, n),
                    None => (false, v.as_str()),
                };
                let key = match name {
                    "priority" => SortKey::Priority,
                    "created" => SortKey::Created,
                    "updated" => SortKey::Updated,
                    "due" => SortKey::Due,
                    _ => {
                        return Err(ApiError::field(
                            StatusCode::BAD_REQUEST,
                            "sort",
                            "must be priority, created, updated or due, with `-` for descending",
                        ));
                    }
                };
                q.sort = Sort { key, descending };
                tag = v.clone();
            }
            "status" => q.statuses = list("status", v, |s| Status::parse("status", s))?,
            "priority" => q.priorities = list("priority", v, |s| Priority::parse("priority", s))?,
            "type" => q.types = list("type", v, |s| TicketType::parse("type", s))?,
            "category" => {
                q.category =
                    Some(CategoryPath::parse("category", v).map_err(|e| bad("category", e))?)
            }
            "group" => q.group = Some(optional_name(v)),
            "assignee" => {
                q.assignee = Some(match v.as_str() {
                    "none" => None,
                    "me" => Some(
                        Email::parse("assignee", &actor.email).map_err(|e| bad("assignee", e))?,
                    ),
                    other => Some(Email::parse("assignee", other).map_err(|e| bad("assignee", e))?),
                })
            }
            "requester" => {
                q.requester = Some(Email::parse("requester", v).map_err(|e| bad("requester", e))?)
            }
            "organization" => q.organization = Some(v.clone()),
            "tag" => q.tag = Some(Tag::parse(v).map_err(|e| bad("tag", e))?),
            "updated_since" => {
                q.updated_since = Some(
                    Timestamp::parse_rfc3339("updated_since", v)
                        .map_err(|e| bad("updated_since", e))?,
                )
            }
            "q" => q.text = Some(v.chars().take(200).collect()),
            "q_in" => q.text_in_comments = in_conversation(v)?,
            "sla" => q.sla = Some(sla(v)?),
            other => match other.strip_prefix("cf.") {
                Some(key) if !key.is_empty() => q.custom.push((key.to_owned(), v.clone())),
                _ => return Err(unknown_parameter(other)),
            },
        }
    }
    if let Some(c) = cursor {
        q.after = Some(Cursor::decode(&tag, &c)?);
    }
    Ok((q, tag))
}
