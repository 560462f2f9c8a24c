//! `/api/v1/groups`: agent groups (tiers and teams) and their members.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use frontline_core::People;
use frontline_domain::Email;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::Fields;
use crate::extract::{Allowed, Configure, ReadDesk};
use crate::extract::{ApiJson, ApiPath};
use crate::problem::{ApiResult, Problem};

#[derive(Debug, Serialize, ToSchema)]
pub struct Group {
    pub id: i64,
    pub name: String,
    pub description: String,
    /// Members' emails.
    pub members: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupList {
    pub items: Vec<Group>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateGroup {
    pub name: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupMembers {
    /// Emails of agents; replaces the current members.
    pub members: Vec<String>,
}

#[utoipa::path(get, path = "/api/v1/groups", tag = "people",
    responses((status = 200, body = GroupList), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list_groups(
    State(people): State<People>,
    Allowed { actor, .. }: Allowed<ReadDesk>,
) -> ApiResult<Json<GroupList>> {
    let items = people.groups(&actor).await?;
    Ok(Json(GroupList {
        items: items
            .into_iter()
            .map(|(g, members)| Group {
                id: g.id.get(),
                name: g.name,
                description: g.description,
                members,
            })
            .collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/groups", tag = "people", request_body = CreateGroup,
    responses((status = 201, body = Group), (status = 403, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn create_group(
    State(people): State<People>,
    Allowed { actor, .. }: Allowed<Configure>,
    body: ApiJson<CreateGroup>,
) -> ApiResult<(StatusCode, Json<Group>)> {
    let g = people
        .add_group(Some(&actor), &body.value.name, &body.value.description)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(Group {
            id: g.id.get(),
            name: g.name,
            description: g.description,
            members: vec![],
        }),
    ))
}

#[utoipa::path(put, path = "/api/v1/groups/{name}/members", tag = "people", params(("name" = String, Path)),
    request_body = GroupMembers,
    responses((status = 200, body = GroupMembers), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn set_members(
    State(people): State<People>,
    Allowed { actor, .. }: Allowed<Configure>,
    ApiPath(name): ApiPath<String>,
    body: ApiJson<GroupMembers>,
) -> ApiResult<Json<serde_json::Value>> {
    let mut f = Fields::default();
    let emails: Vec<Email> = body
        .value
        .members
        .iter()
        .filter_map(|e| f.take(Email::parse("members", e)))
        .collect();
    f.finish()?;
    let members = people
        .set_group_members(Some(&actor), &name, &emails)
        .await?;
    Ok(Json(serde_json::json!({ "members": members })))
}
