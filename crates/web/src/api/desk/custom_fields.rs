//! `/api/v1/custom-fields`: fields an admin adds to tickets, per ticket type.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use frontline_core::Config;
use frontline_domain::CustomFieldDef;
use serde::Serialize;
use utoipa::ToSchema;

use crate::extract::{Allowed, Configure};
use crate::extract::{ApiJson, Auth};
use crate::problem::{ApiResult, Problem};

/// `{"key": "cost_center", "label": "Cost center", "kind": "select", "options": ["A", "B"],
/// "ticket_types": ["service_request"], "required": false}`. Kinds: text, number, date,
/// select, multi_select, checkbox.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomFieldList {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<CustomFieldDef>,
}

#[utoipa::path(get, path = "/api/v1/custom-fields", tag = "configuration",
    responses((status = 200, body = CustomFieldList)), security(("bearer" = [])))]
pub async fn list_custom_fields(
    State(config): State<Config>,
    _auth: Auth,
) -> ApiResult<Json<CustomFieldList>> {
    Ok(Json(CustomFieldList {
        items: config.custom_fields().await?,
    }))
}

#[utoipa::path(post, path = "/api/v1/custom-fields", tag = "configuration",
    request_body(content = Object, description = "A custom field definition"),
    responses((status = 201, description = "The definition"), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn create_custom_field(
    State(config): State<Config>,
    Allowed { actor, .. }: Allowed<Configure>,
    body: ApiJson<CustomFieldDef>,
) -> ApiResult<(StatusCode, Json<CustomFieldDef>)> {
    let def = config.add_custom_field(Some(&actor), body.value).await?;
    Ok((StatusCode::CREATED, Json(def)))
}
