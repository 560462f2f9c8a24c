//! `GET /api/v1/rules` (in order) and `PUT /api/v1/rules/order` (a new order).

use axum::Json;
use axum::extract::State;
use frontline_core::Rules;
use frontline_domain::RuleId;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{RuleItem, RuleList};
use crate::extract::ApiJson;
use crate::extract::{Allowed, Automation};
use crate::problem::{ApiResult, Problem};

#[utoipa::path(get, path = "/api/v1/rules", tag = "configuration",
    responses((status = 200, body = RuleList), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list_rules(
    State(rules): State<Rules>,
    Allowed { actor, .. }: Allowed<Automation>,
) -> ApiResult<Json<RuleList>> {
    let items = rules.list(&actor).await?;
    Ok(Json(RuleList {
        items: items.into_iter().map(RuleItem::from).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleOrder {
    /// Every rule's id once, in the order they are to be considered.
    #[schema(value_type = Vec<i64>)]
    pub ids: Vec<RuleId>,
}

#[utoipa::path(put, path = "/api/v1/rules/order", tag = "configuration", request_body = RuleOrder,
    responses((status = 200, body = RuleList), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn reorder_rules(
    State(rules): State<Rules>,
    Allowed { actor, .. }: Allowed<Automation>,
    body: ApiJson<RuleOrder>,
) -> ApiResult<Json<RuleList>> {
    let items = rules.reorder_rules(&actor, &body.value.ids).await?;
    Ok(Json(RuleList {
        items: items.into_iter().map(RuleItem::from).collect(),
    }))
}
