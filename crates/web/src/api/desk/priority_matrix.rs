//! `/api/v1/priority-matrix`: impact × urgency → priority.

use axum::Json;
use axum::extract::State;
use frontline_domain::PriorityMatrix;

use crate::extract::{Allowed, Configure};
use crate::extract::{ApiJson, Auth};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

/// `{"high": ["P1","P2","P3"], "medium": [...], "low": [...]}`: rows are impact, columns
/// urgency (high, medium, low).
#[utoipa::path(get, path = "/api/v1/priority-matrix", tag = "configuration",
    responses((status = 200, description = "The matrix")), security(("bearer" = [])))]
pub async fn get_matrix(
    State(state): State<AppState>,
    _auth: Auth,
) -> ApiResult<Json<PriorityMatrix>> {
    Ok(Json(state.desk.priority_matrix().await?))
}

/// Tickets whose priority was not set by hand take the new matrix at their next change.
#[utoipa::path(put, path = "/api/v1/priority-matrix", tag = "configuration",
    request_body(content = Object, description = "The matrix"),
    responses((status = 200, description = "The matrix"), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn put_matrix(
    State(state): State<AppState>,
    Allowed { actor, .. }: Allowed<Configure>,
    body: ApiJson<PriorityMatrix>,
) -> ApiResult<Json<PriorityMatrix>> {
    Ok(Json(
        state.desk.set_priority_matrix(&actor, body.value).await?,
    ))
}
