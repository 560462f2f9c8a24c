//! `POST /api/v1/rules`, `PUT /api/v1/rules/{id}` and `DELETE /api/v1/rules/{id}`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use frontline_core::Rules;
use frontline_domain::rules::Rule;

use super::RuleItem;
use crate::extract::{Allowed, Automation};
use crate::extract::{ApiJson, ApiPath};
use crate::problem::{ApiResult, Problem};
use frontline_domain::RuleId;

#[utoipa::path(post, path = "/api/v1/rules", tag = "configuration",
    request_body(content = Object, description = "A rule"),
    responses((status = 201, body = RuleItem), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn create_rule(
    State(rules): State<Rules>,
    Allowed { actor, .. }: Allowed<Automation>,
    body: ApiJson<Rule>,
) -> ApiResult<(StatusCode, Json<RuleItem>)> {
    let added = rules.add_rule(&actor, body.value).await?;
    Ok((StatusCode::CREATED, Json(RuleItem::from(added))))
}

#[utoipa::path(put, path = "/api/v1/rules/{id}", tag = "configuration",
    params(("id" = i64, Path, description = "Rule id")),
    request_body(content = Object, description = "The rule's new definition"),
    responses((status = 200, body = RuleItem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn replace_rule(
    State(rules): State<Rules>,
    Allowed { actor, .. }: Allowed<Automation>,
    ApiPath(id): ApiPath<RuleId>,
    body: ApiJson<Rule>,
) -> ApiResult<Json<RuleItem>> {
    let rule = rules.replace_rule(&actor, id, body.value).await?;
    Ok(Json(RuleItem::from(rule)))
}

#[utoipa::path(delete, path = "/api/v1/rules/{id}", tag = "configuration",
    params(("id" = i64, Path, description = "Rule id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn delete_rule(
    State(rules): State<Rules>,
    Allowed { actor, .. }: Allowed<Automation>,
    ApiPath(id): ApiPath<RuleId>,
) -> ApiResult<StatusCode> {
    rules.delete_rule(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
