//! Automatic assignment's configuration: a group's mode (`/api/v1/groups/{name}/assignment`),
//! an agent's availability and skills (`/api/v1/users/{email}/availability`) and the skill a
//! category needs (`/api/v1/category-skills`). The desk reads modes; managers and admins set
//! all three.

use axum::Json;
use axum::extract::State;
use frontline_core::assignment::Mode;
use frontline_domain::{CategoryPath, Email};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::extract::{Allowed, Configure, ReadDesk};
use crate::extract::{ApiJson, ApiPath};
use crate::problem::{ApiResult, Problem};

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// `manual` (the default), `round_robin` or `least_loaded`.
    #[schema(value_type = String)]
    pub mode: Mode,
}

#[utoipa::path(get, path = "/api/v1/groups/{name}/assignment", tag = "people", params(("name" = String, Path)),
    responses((status = 200, body = Assignment), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn get_assignment(
    State(assignment): State<frontline_core::Assignment>,
    Allowed { actor, .. }: Allowed<ReadDesk>,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<Json<Assignment>> {
    let mode = assignment.group_assignment(&actor, &name).await?;
    Ok(Json(Assignment { mode }))
}

#[utoipa::path(put, path = "/api/v1/groups/{name}/assignment", tag = "people", params(("name" = String, Path)),
    request_body = Assignment,
    responses((status = 200, body = Assignment), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn put_assignment(
    State(assignment): State<frontline_core::Assignment>,
    Allowed { actor, .. }: Allowed<Configure>,
    ApiPath(name): ApiPath<String>,
    body: ApiJson<Assignment>,
) -> ApiResult<Json<Assignment>> {
    let mode = body.value.mode;
    assignment.set_group_assignment(&actor, &name, mode).await?;
    Ok(Json(Assignment { mode }))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Availability {
    /// A calendar's name: the agent's working hours; absent or null means always.
    #[serde(default)]
    pub calendar: Option<String>,
    #[serde(default)]
    pub out_of_office: bool,
    /// Replaces the agent's skills.
    #[serde(default)]
    pub skills: Vec<String>,
}

#[utoipa::path(put, path = "/api/v1/users/{email}/availability", tag = "people", params(("email" = String, Path)),
    request_body = Availability,
    responses((status = 200, body = Availability), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn put_availability(
    State(assignment): State<frontline_core::Assignment>,
    Allowed { actor, .. }: Allowed<Configure>,
    ApiPath(email): ApiPath<String>,
    body: ApiJson<Availability>,
) -> ApiResult<Json<Availability>> {
    let email = Email::parse("email", &email)?;
    let b = body.value;
    assignment
        .set_availability(
            &actor,
            &email,
            b.calendar.as_deref(),
            b.out_of_office,
            &b.skills,
        )
        .await?;
    Ok(Json(b))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategorySkill {
    /// A category path, e.g. `Hardware/Laptop`.
    pub category: String,
    /// The skill its tickets need; null clears it.
    pub skill: Option<String>,
}

#[utoipa::path(put, path = "/api/v1/category-skills", tag = "configuration", request_body = CategorySkill,
    responses((status = 200, body = CategorySkill), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn put_category_skill(
    State(assignment): State<frontline_core::Assignment>,
    Allowed { actor, .. }: Allowed<Configure>,
    body: ApiJson<CategorySkill>,
) -> ApiResult<Json<CategorySkill>> {
    let b = body.value;
    let path = CategoryPath::parse("category", &b.category)?;
    assignment
        .set_category_skill(&actor, &path, b.skill.as_deref())
        .await?;
    Ok(Json(b))
}
