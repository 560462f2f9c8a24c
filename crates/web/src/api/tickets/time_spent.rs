//! Time spent: `GET /api/v1/tickets/{id}/time` (a ticket's entries and total) and
//! `GET /api/v1/time-spent` (each agent's total over a period). Entries are written with
//! comments (`minutes` on `POST /api/v1/tickets/{id}/comments`) and logged calls.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use frontline_core::Comments;
use frontline_domain::{TicketId, Timestamp};
use serde::Serialize;
use utoipa::ToSchema;

use crate::extract::{ApiPath, Auth, QueryPairs, unknown_parameter};
use crate::problem::{ApiError, ApiResult, Problem};

#[derive(Debug, Serialize, ToSchema)]
pub struct TimeEntry {
    pub agent_name: String,
    /// reply, note or call.
    pub kind: String,
    pub minutes: u32,
    pub created_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketTime {
    pub total_minutes: i64,
    pub items: Vec<TimeEntry>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgentTotal {
    /// The agent's email.
    pub agent: String,
    pub name: String,
    pub minutes: i64,
    /// Tickets the time went to.
    pub tickets: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TimeTotals {
    pub since: String,
    pub until: String,
    pub items: Vec<AgentTotal>,
}

/// Staff only.
#[utoipa::path(get, path = "/api/v1/tickets/{id}/time", tag = "tickets",
    params(("id" = i64, Path)),
    responses((status = 200, body = TicketTime), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn ticket_time(
    State(comments): State<Comments>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<TicketId>,
) -> ApiResult<Json<TicketTime>> {
    let entries = comments.ticket_time(&actor, id).await?;
    Ok(Json(TicketTime {
        total_minutes: entries.iter().map(|e| i64::from(e.minutes)).sum(),
        items: entries
            .into_iter()
            .map(|e| TimeEntry {
                agent_name: e.user_name,
                kind: e.kind.as_str().to_owned(),
                minutes: e.minutes,
                created_at: e.created_at.to_rfc3339(),
            })
            .collect(),
    }))
}

/// Each agent's minutes from `since` until before `until` (RFC 3339; default the 30 days up
/// to now; at most 366 days), most time first. Staff only.
#[utoipa::path(get, path = "/api/v1/time-spent", tag = "tickets",
    params(("since" = Option<String>, Query), ("until" = Option<String>, Query)),
    responses((status = 200, body = TimeTotals), (status = 400, body = Problem), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn time_spent(
    State(comments): State<Comments>,
    Auth(actor): Auth,
    QueryPairs(pairs): QueryPairs,
) -> ApiResult<Json<TimeTotals>> {
    let (mut since, mut until) = (None, None);
    for (k, v) in &pairs {
        let at = Timestamp::parse_rfc3339(k, v)
            .map_err(|e| ApiError::field(StatusCode::BAD_REQUEST, k, e.message));
        match k.as_str() {
            "since" => since = Some(at?),
            "until" => until = Some(at?),
            other => return Err(unknown_parameter(other)),
        }
    }
    let totals = comments.time_by_agent(&actor, since, until).await?;
    Ok(Json(TimeTotals {
        since: totals.since.to_rfc3339(),
        until: totals.until.to_rfc3339(),
        items: totals
            .agents
            .into_iter()
            .map(|t| AgentTotal {
                agent: t.email,
                name: t.name,
                minutes: t.minutes,
                tickets: t.tickets,
            })
            .collect(),
    }))
}
