//! `/api/v1/priority-matrix`: impact × urgency → priority.

use axum::Json;
use axum::extract::State;
use frontline_core::Config;
use frontline_domain::PriorityMatrix;

use crate::extract::{Allowed, Configure};
use crate::extract::{ApiJson, Auth};
use crate::problem::{ApiResult, Problem};

/// `{"high": ["P1","P2","P3"], "medium": [...], "low": [...]}`: rows are impact, columns
/// urgency (high, medium, low).
#[utoipa::path(get, path = "/api/v1/priority-matrix", tag = "configuration",
    responses((status = 200, description = "The matrix")), security(("bearer" = [])))]
pub async fn get_matrix(
    State(config): State<Config>,
    _auth: Auth,
) -> ApiResult<Json<PriorityMatrix>> {
    Ok(Json(config.priority_matrix().await?))
}

/// Tickets whose priority was not set by hand take the new matrix at their next change.
#[utoipa::path(put, path = "/api/v1/priority-matrix", tag = "configuration",
    request_body(content = Object, description = "The matrix"),
    responses((status = 200, description = "The matrix"), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn put_matrix(
    State(config): State<Config>,
    Allowed { actor, .. }: Allowed<Configure>,
    body: ApiJson<PriorityMatrix>,
) -> ApiResult<Json<PriorityMatrix>> {
    Ok(Json(config.set_priority_matrix(&actor, body.value).await?))
}
