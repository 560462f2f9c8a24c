//! `/api/v1/canned-responses`: reply templates. Admins keep the desk's (`scope: desk`), which
//! every agent sees; each agent keeps their own (`scope: mine`). A body may name the ticket's
//! details by placeholder — `{{requester.name}}`, `{{requester.first_name}}`,
//! `{{requester.email}}`, `{{ticket.number}}`, `{{ticket.subject}}`, `{{agent.name}}` — and an
//! unknown one is a 422. `GET /api/v1/canned-responses/{id}/filled?ticket=N` fills one in.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use frontline_core::canned::CannedResponse;
use frontline_domain::{CannedId, TicketId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::extract::{ApiJson, ApiPath, Auth, QueryPairs, unknown_parameter};
use crate::problem::{ApiError, ApiResult, Problem};

#[derive(Debug, Serialize, ToSchema)]
pub struct Canned {
    pub id: i64,
    pub name: String,
    pub body: String,
    /// desk (every agent's, kept by admins) or mine.
    pub scope: String,
}

impl From<CannedResponse> for Canned {
    fn from(c: CannedResponse) -> Self {
        Self {
            id: c.id.get(),
            name: c.name,
            body: c.body,
            scope: if c.owner_id.is_some() { "mine" } else { "desk" }.to_owned(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CannedList {
    pub items: Vec<Canned>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCanned {
    pub name: String,
    pub body: String,
    /// mine (default) or desk (admins only).
    pub scope: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCanned {
    pub name: Option<String>,
    pub body: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Filled {
    /// The body with the ticket's details in place of its placeholders.
    pub text: String,
}

#[utoipa::path(get, path = "/api/v1/canned-responses", tag = "canned responses",
    responses((status = 200, body = CannedList), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn list_canned(
    State(canned): State<frontline_core::Canned>,
    Auth(actor): Auth,
) -> ApiResult<Json<CannedList>> {
    let items = canned.canned_responses(&actor).await?;
    Ok(Json(CannedList {
        items: items.into_iter().map(Canned::from).collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/canned-responses", tag = "canned responses",
    request_body = CreateCanned,
    responses((status = 201, body = Canned), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn create_canned(
    State(canned): State<frontline_core::Canned>,
    Auth(actor): Auth,
    body: ApiJson<CreateCanned>,
) -> ApiResult<(StatusCode, Json<Canned>)> {
    let b = body.value;
    let for_desk = match b.scope.as_deref() {
        None | Some("mine") => false,
        Some("desk") => true,
        Some(_) => {
            return Err(ApiError::invalid(vec![frontline_domain::DomainError::new(
                "scope",
                "must be mine or desk",
            )]));
        }
    };
    let c = canned
        .add_canned(&actor, for_desk, &b.name, &b.body)
        .await?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

#[utoipa::path(patch, path = "/api/v1/canned-responses/{id}", tag = "canned responses",
    request_body = UpdateCanned,
    params(("id" = i64, Path, description = "Canned response id")),
    responses((status = 200, body = Canned), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn update_canned(
    State(canned): State<frontline_core::Canned>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<CannedId>,
    body: ApiJson<UpdateCanned>,
) -> ApiResult<Json<Canned>> {
    let current = canned.canned_response(&actor, id).await?;
    let b = body.value;
    let c = canned
        .change_canned(
            &actor,
            id,
            b.name.as_deref().unwrap_or(&current.name),
            b.body.as_deref().unwrap_or(&current.body),
        )
        .await?;
    Ok(Json(c.into()))
}

#[utoipa::path(delete, path = "/api/v1/canned-responses/{id}", tag = "canned responses",
    params(("id" = i64, Path, description = "Canned response id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn delete_canned(
    State(canned): State<frontline_core::Canned>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<CannedId>,
) -> ApiResult<StatusCode> {
    canned.delete_canned(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/canned-responses/{id}/filled", tag = "canned responses",
    params(("id" = i64, Path, description = "Canned response id"),
        ("ticket" = i64, Query, description = "The ticket whose details fill the placeholders")),
    responses((status = 200, body = Filled), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn fill_canned(
    State(canned): State<frontline_core::Canned>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<CannedId>,
    QueryPairs(pairs): QueryPairs,
) -> ApiResult<Json<Filled>> {
    let mut ticket = None;
    for (k, v) in &pairs {
        match k.as_str() {
            "ticket" => ticket = v.parse::<TicketId>().ok(),
            other => return Err(unknown_parameter(other)),
        }
    }
    let ticket = ticket.ok_or_else(|| {
        ApiError::field(StatusCode::BAD_REQUEST, "ticket", "must be a ticket number")
    })?;
    let text = canned.fill_canned(&actor, id, ticket).await?;
    Ok(Json(Filled { text }))
}
