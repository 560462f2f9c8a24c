//! `/api/v1/default-group`: the group a new ticket joins when neither its creator nor a
//! created rule routed it, so portal and mail tickets never fall out of every queue.

use axum::Json;
use axum::extract::State;
use frontline_core::Config;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::extract::{Allowed, ApiJson, Configure, ReadDesk};
use crate::problem::{ApiResult, Problem};

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DefaultGroup {
    /// The group's name; `null` leaves unrouted tickets without a group.
    pub group: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/default-group", tag = "configuration",
    responses((status = 200, body = DefaultGroup), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn get_default_group(
    State(config): State<Config>,
    _allowed: Allowed<ReadDesk>,
) -> ApiResult<Json<DefaultGroup>> {
    Ok(Json(DefaultGroup {
        group: config.default_group().await?,
    }))
}

/// Applies to tickets created from now on.
#[utoipa::path(put, path = "/api/v1/default-group", tag = "configuration",
    request_body = DefaultGroup,
    responses((status = 200, body = DefaultGroup), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn put_default_group(
    State(config): State<Config>,
    Allowed { actor, .. }: Allowed<Configure>,
    body: ApiJson<DefaultGroup>,
) -> ApiResult<Json<DefaultGroup>> {
    let group = body.value.group.as_deref().map(str::trim);
    let group = config
        .set_default_group(&actor, group.filter(|g| !g.is_empty()))
        .await?;
    Ok(Json(DefaultGroup { group }))
}
