//! `GET /api/v1/tickets/{id}`: one ticket, with its version as `ETag`.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use frontline_core::Tickets;
use frontline_domain::TicketId;

use super::dto::Ticket;
use crate::extract::etag;
use crate::extract::{ApiPath, Auth};
use crate::problem::{ApiResult, Problem};

#[utoipa::path(
    get, path = "/api/v1/tickets/{id}", tag = "tickets",
    params(("id" = i64, Path, description = "Ticket number")),
    responses(
        (status = 200, body = Ticket, headers(("ETag" = String, description = "Send back as If-Match"))),
        (status = 401, body = Problem), (status = 404, body = Problem),
    ),
    security(("bearer" = []))
)]
pub async fn get_ticket(
    State(tickets): State<Tickets>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<TicketId>,
) -> ApiResult<impl IntoResponse> {
    let view = tickets.ticket(&actor, id).await?;
    Ok((
        [(header::ETAG, etag(view.record.version))],
        Json(Ticket::from(view)),
    ))
}
