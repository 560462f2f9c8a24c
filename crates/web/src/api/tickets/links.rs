//! `/api/v1/tickets/{id}/links`: related, parent/child and duplicate links.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use frontline_core::Tickets;
use frontline_core::tickets::TicketLink;
use frontline_domain::{LinkKind, TicketId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::time;
use crate::extract::{ApiJson, ApiPath, Auth};
use crate::problem::{ApiError, ApiResult, Problem};

/// Reads "this ticket is `kind` `ticket`".
#[derive(Debug, Serialize, ToSchema)]
pub struct Link {
    /// related, parent_of, child_of, duplicate_of, duplicated_by.
    #[schema(pattern = "^(related|parent_of|child_of|duplicate_of|duplicated_by)$")]
    pub kind: String,
    pub ticket: i64,
    pub created_at: String,
}

impl From<TicketLink> for Link {
    fn from(l: TicketLink) -> Self {
        Self {
            kind: l.kind.as_str().to_owned(),
            ticket: l.ticket.get(),
            created_at: time(l.created_at.as_micros()),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateLink {
    /// related, parent_of, child_of, duplicate_of or duplicated_by.
    #[schema(pattern = "^(related|parent_of|child_of|duplicate_of|duplicated_by)$")]
    pub kind: String,
    #[schema(value_type = i64)]
    pub ticket: TicketId,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinkList {
    pub items: Vec<Link>,
}

/// A link kind in the body: a 422 when it is none.
fn kind(text: &str) -> Result<LinkKind, ApiError> {
    LinkKind::parse(text).map_err(ApiError::from)
}

/// A link kind in the path: a 400 when it is none, as for any path that does not parse.
fn path_kind(text: &str) -> Result<LinkKind, ApiError> {
    LinkKind::parse(text).map_err(|e| ApiError::field(StatusCode::BAD_REQUEST, "kind", e.message))
}

#[utoipa::path(
    get, path = "/api/v1/tickets/{id}/links", tag = "tickets",
    params(("id" = i64, Path)),
    responses((status = 200, body = LinkList), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub async fn list_links(
    State(tickets): State<Tickets>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<TicketId>,
) -> ApiResult<Json<LinkList>> {
    let items = tickets.links(&actor, id).await?;
    Ok(Json(LinkList {
        items: items.into_iter().map(Link::from).collect(),
    }))
}

#[utoipa::path(
    post, path = "/api/v1/tickets/{id}/links", tag = "tickets",
    params(("id" = i64, Path)),
    request_body = CreateLink,
    responses((status = 201, body = Link), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []))
)]
pub async fn create_link(
    State(tickets): State<Tickets>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<TicketId>,
    body: ApiJson<CreateLink>,
) -> ApiResult<(StatusCode, Json<Link>)> {
    let b = body.value;
    let link = tickets
        .link_tickets(&actor, id, kind(&b.kind)?, b.ticket)
        .await?;
    Ok((StatusCode::CREATED, Json(Link::from(link))))
}

#[utoipa::path(
    delete, path = "/api/v1/tickets/{id}/links/{kind}/{ticket}", tag = "tickets",
    params(("id" = i64, Path), ("kind" = String, Path, pattern = "^(related|parent_of|child_of|duplicate_of|duplicated_by)$"), ("ticket" = i64, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, description = "A ticket linked to itself", body = Problem)),
    security(("bearer" = []))
)]
pub async fn delete_link(
    State(tickets): State<Tickets>,
    Auth(actor): Auth,
    ApiPath((id, link_kind, other)): ApiPath<(TicketId, String, TicketId)>,
) -> ApiResult<StatusCode> {
    tickets
        .unlink_tickets(&actor, id, path_kind(&link_kind)?, other)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
