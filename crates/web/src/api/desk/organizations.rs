//! `/api/v1/organizations`: the client companies a desk serves.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use frontline_core::People;
use frontline_core::people::NewOrganization;
use frontline_domain::OrganizationId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::extract::{Allowed, Configure, ReadDesk};
use crate::extract::{ApiJson, ApiPath};
use crate::problem::{ApiResult, Problem};

#[derive(Debug, Serialize, ToSchema)]
pub struct Organization {
    pub id: i64,
    pub name: String,
    /// Email domain; new requesters from it join the organization.
    pub domain: Option<String>,
    /// Whether its requesters see each other's tickets.
    pub shared_tickets: bool,
    pub created_at: String,
}

impl From<frontline_domain::Organization> for Organization {
    fn from(o: frontline_domain::Organization) -> Self {
        Self {
            id: o.id.get(),
            name: o.name,
            domain: o.domain,
            shared_tickets: o.shared_tickets,
            created_at: o.created_at.to_rfc3339(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationList {
    pub items: Vec<Organization>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrganization {
    pub name: String,
    pub domain: Option<String>,
    #[serde(default)]
    pub shared_tickets: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOrganization {
    pub shared_tickets: bool,
}

#[utoipa::path(get, path = "/api/v1/organizations", tag = "people",
    responses((status = 200, body = OrganizationList), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list_organizations(
    State(people): State<People>,
    Allowed { actor, .. }: Allowed<ReadDesk>,
) -> ApiResult<Json<OrganizationList>> {
    let items = people.organizations(&actor).await?;
    Ok(Json(OrganizationList {
        items: items.into_iter().map(Organization::from).collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/organizations", tag = "people", request_body = CreateOrganization,
    responses((status = 201, body = Organization), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn create_organization(
    State(people): State<People>,
    Allowed { actor, .. }: Allowed<Configure>,
    body: ApiJson<CreateOrganization>,
) -> ApiResult<(StatusCode, Json<Organization>)> {
    let b = body.value;
    let new = NewOrganization {
        name: b.name,
        domain: b.domain,
        shared_tickets: b.shared_tickets,
    };
    let org = people.add_organization(&actor, new).await?;
    Ok((StatusCode::CREATED, Json(Organization::from(org))))
}

#[utoipa::path(patch, path = "/api/v1/organizations/{id}", tag = "people", params(("id" = i64, Path)),
    request_body = UpdateOrganization,
    responses((status = 200, body = Organization), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn update_organization(
    State(people): State<People>,
    Allowed { actor, .. }: Allowed<Configure>,
    ApiPath(id): ApiPath<OrganizationId>,
    body: ApiJson<UpdateOrganization>,
) -> ApiResult<Json<Organization>> {
    let org = people
        .set_organization_sharing(&actor, id, body.value.shared_tickets)
        .await?;
    Ok(Json(Organization::from(org)))
}
