//! `GET /api/v1/tickets/{id}/sla`: each SLA target of the ticket, as of its last change or
//! timer: state, due time, business time used and left.

use axum::Json;
use axum::extract::State;
use frontline_core::Sla;
use frontline_domain::sla;
use frontline_domain::{TicketId, Timestamp};
use serde::Serialize;
use utoipa::ToSchema;

use crate::extract::{ApiPath, Auth};
use crate::problem::{ApiResult, Problem};

#[derive(Debug, Serialize, ToSchema)]
pub struct SlaTarget {
    /// first_response, next_response or resolution.
    pub target: String,
    /// running, paused, met or breached.
    pub state: String,
    pub started_at: String,
    /// When the target breaches at the current pace; null while paused or once met.
    pub due_at: Option<String>,
    pub warn_at: Option<String>,
    pub met_at: Option<String>,
    pub breached_at: Option<String>,
    /// When the breach was escalated as the policy says (notify, move, raise priority).
    pub escalated_at: Option<String>,
    /// Business time allowed, used and left, in seconds (left is negative when overdue).
    pub goal_seconds: i64,
    pub used_seconds: i64,
    pub remaining_seconds: i64,
}

impl From<sla::SlaTarget> for SlaTarget {
    fn from(t: sla::SlaTarget) -> Self {
        let at = |t: Option<Timestamp>| t.map(Timestamp::to_rfc3339);
        Self {
            target: t.target.as_str().to_owned(),
            state: t.state.as_str().to_owned(),
            started_at: t.started_at.to_rfc3339(),
            due_at: at(t.due_at),
            warn_at: at(t.warn_at),
            met_at: at(t.met_at),
            breached_at: at(t.breached_at),
            escalated_at: at(t.escalated_at),
            goal_seconds: t.goal / 1_000_000,
            used_seconds: t.elapsed / 1_000_000,
            remaining_seconds: t.remaining() / 1_000_000,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlaTargets {
    pub items: Vec<SlaTarget>,
}

#[utoipa::path(get, path = "/api/v1/tickets/{id}/sla", tag = "tickets",
    params(("id" = i64, Path, description = "Ticket number")),
    responses((status = 200, body = SlaTargets), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn ticket_sla(
    State(sla): State<Sla>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<TicketId>,
) -> ApiResult<Json<SlaTargets>> {
    let rows = sla.ticket_slas(&actor, id).await?;
    Ok(Json(SlaTargets {
        items: rows.into_iter().map(SlaTarget::from).collect(),
    }))
}
