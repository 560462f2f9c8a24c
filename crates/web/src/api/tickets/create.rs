//! `POST /api/v1/tickets`: open a ticket, idempotently with `Idempotency-Key`.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use frontline_core::Tickets;
use frontline_core::tickets::IdempotencyKey;

use super::dto::{CreateTicket, Ticket};
use super::parse;
use crate::extract::etag;
use crate::extract::{ApiJson, Auth, IdempotencyKeyHeader};
use crate::problem::{ApiResult, Problem};

/// Open a ticket. Agents may open one on behalf of `requester`, creating that person if
/// unknown. Repeating a request with the same `Idempotency-Key` answers with the ticket the
/// first one created (for 24 hours).
#[utoipa::path(
    post, path = "/api/v1/tickets", tag = "tickets",
    request_body = CreateTicket,
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, pattern = "^[!-~]+$",
        description = "Makes retries safe: 1 to 255 visible ASCII characters")),
    responses(
        (status = 201, description = "Created", body = Ticket),
        (status = 200, description = "Already created with this Idempotency-Key", body = Ticket),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem),
    ),
    security(("bearer" = []))
)]
pub async fn create_ticket(
    State(tickets): State<Tickets>,
    Auth(actor): Auth,
    IdempotencyKeyHeader(key): IdempotencyKeyHeader,
    body: ApiJson<CreateTicket>,
) -> ApiResult<impl IntoResponse> {
    let new = parse::new_ticket(body.value)?;
    let idem = key.map(|key| IdempotencyKey {
        key,
        request_hash: body.sha256,
    });
    let created = tickets.create_ticket(&actor, new, idem).await?;
    let mut headers = HeaderMap::new();
    let id = created.ticket.record.id;
    headers.insert(header::ETAG, etag(created.ticket.record.version));
    if let Ok(loc) = HeaderValue::from_str(&format!("/api/v1/tickets/{id}")) {
        headers.insert(header::LOCATION, loc);
    }
    let status = if created.fresh {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, headers, Json(Ticket::from(created.ticket))))
}
