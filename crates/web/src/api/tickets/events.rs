//! `GET /api/v1/tickets/{id}/events`: the audit trail, oldest first.

use axum::Json;
use axum::extract::State;
use frontline_core::Tickets;
use frontline_domain::{EventId, TicketId};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::time;
use crate::extract::{ApiPath, Auth, Cursor, PageParams, QueryPairs, paginate};
use crate::problem::{ApiResult, Problem};

const CURSOR_TAG: &str = "events";

/// One change: who, when, what, old → new.
#[derive(Debug, Serialize, ToSchema)]
pub struct Event {
    pub id: i64,
    pub at: String,
    /// The actor's email; null for the system.
    pub actor: Option<String>,
    /// created, field_changed, replied, note_added, first_response, merged_into,
    /// merged_from, linked, unlinked; sla_started, sla_paused, sla_resumed, sla_met,
    /// sla_warning, sla_breached, sla_cancelled, sla_policy_changed (field: the target).
    pub kind: String,
    pub field: Option<String>,
    pub old: Option<String>,
    pub new: Option<String>,
    pub internal: bool,
}

impl From<frontline_domain::Event> for Event {
    fn from(e: frontline_domain::Event) -> Self {
        let r = e.record;
        Self {
            id: r.id.get(),
            at: time(r.at.as_micros()),
            actor: e.actor_email.map(|e| e.to_string()),
            kind: r.kind.as_str().to_owned(),
            field: r.field,
            old: r.old_value,
            new: r.new_value,
            internal: r.internal,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventPage {
    pub items: Vec<Event>,
    pub next_cursor: Option<String>,
}

/// Requesters see no internal events (notes).
#[utoipa::path(
    get, path = "/api/v1/tickets/{id}/events", tag = "tickets",
    params(("id" = i64, Path), ("limit" = Option<i64>, Query, minimum = 1, maximum = 200, description = "1–200, default 50"), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = EventPage), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub async fn list_events(
    State(tickets): State<Tickets>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<TicketId>,
    QueryPairs(pairs): QueryPairs,
) -> ApiResult<Json<EventPage>> {
    let page = PageParams::from_pairs(&pairs)?;
    let items = tickets
        .events(
            &actor,
            id,
            EventId::new(page.after_id(CURSOR_TAG)?),
            page.limit + 1,
        )
        .await?;
    let (items, next_cursor) = paginate(items, page.limit, |e| {
        Cursor::encode(CURSOR_TAG, &[e.record.id.get()])
    });
    Ok(Json(EventPage {
        items: items.into_iter().map(Event::from).collect(),
        next_cursor,
    }))
}
