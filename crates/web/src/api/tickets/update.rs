//! `PATCH /api/v1/tickets/{id}`: change fields; `If-Match` makes a stale edit a 412.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use frontline_core::Tickets;
use frontline_domain::TicketId;

use super::dto::{Ticket, UpdateTicket};
use super::parse;
use crate::extract::etag;
use crate::extract::{ApiJson, ApiPath, Auth, IfMatch};
use crate::problem::{ApiResult, Problem};

/// Only the fields present change. With `If-Match` (the `ETag` of your last read) a change
/// someone else made in between is reported as 412 instead of being overwritten.
#[utoipa::path(
    patch, path = "/api/v1/tickets/{id}", tag = "tickets",
    params(
        ("id" = i64, Path, description = "Ticket number"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you edit"),
    ),
    request_body = UpdateTicket,
    responses(
        (status = 200, body = Ticket), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem),
    ),
    security(("bearer" = []))
)]
pub async fn update_ticket(
    State(tickets): State<Tickets>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<TicketId>,
    IfMatch(version): IfMatch,
    body: ApiJson<UpdateTicket>,
) -> ApiResult<impl IntoResponse> {
    let patch = parse::patch(body.value)?;
    let view = tickets.update_ticket(&actor, id, patch, version).await?;
    Ok((
        [(header::ETAG, etag(view.record.version))],
        Json(Ticket::from(view)),
    ))
}
