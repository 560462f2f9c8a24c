//! `POST /api/v1/tickets/{id}/merge`: merge this ticket into another.

use axum::Json;
use axum::extract::State;
use frontline_core::Tickets;
use frontline_domain::TicketId;
use serde::Deserialize;
use utoipa::ToSchema;

use super::dto::Ticket;
use crate::extract::{ApiJson, ApiPath, Auth};
use crate::problem::{ApiResult, Problem};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeTicket {
    /// The ticket that carries on.
    #[schema(value_type = i64)]
    pub into: TicketId,
}

/// The conversation and watchers move to `into`; this ticket is closed and points to it.
/// Answers with the ticket merged into.
#[utoipa::path(
    post, path = "/api/v1/tickets/{id}/merge", tag = "tickets",
    params(("id" = i64, Path)),
    request_body = MergeTicket,
    responses((status = 200, body = Ticket), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = []))
)]
pub async fn merge_ticket(
    State(tickets): State<Tickets>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<TicketId>,
    body: ApiJson<MergeTicket>,
) -> ApiResult<Json<Ticket>> {
    let view = tickets.merge_tickets(&actor, id, body.value.into).await?;
    Ok(Json(Ticket::from(view)))
}
