//! `POST /api/v1/views`, `PATCH /api/v1/views/{id}` and `DELETE /api/v1/views/{id}`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use frontline_core::Views;

use super::{View, ViewBody, new_view, spec_of};
use crate::extract::{ApiJson, ApiPath, Auth};
use crate::problem::{ApiResult, Problem};
use frontline_domain::ViewId;

#[utoipa::path(post, path = "/api/v1/views", tag = "views", request_body = ViewBody,
    responses((status = 201, body = View), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn create_view(
    State(views): State<Views>,
    Auth(actor): Auth,
    body: ApiJson<ViewBody>,
) -> ApiResult<(StatusCode, Json<View>)> {
    actor.require_staff()?;
    let spec = spec_of(new_view(), body.value)?;
    let view = views.add_view(&actor, spec).await?;
    let count = views.count_view(&actor, &view.spec).await?;
    Ok((StatusCode::CREATED, Json(View::of(view, count, true))))
}

#[utoipa::path(patch, path = "/api/v1/views/{id}", tag = "views", request_body = ViewBody,
    params(("id" = i64, Path, description = "View id")),
    responses((status = 200, body = View), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn update_view(
    State(views): State<Views>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<ViewId>,
    body: ApiJson<ViewBody>,
) -> ApiResult<Json<View>> {
    let current = views.view(&actor, id).await?;
    let spec = spec_of(current.spec, body.value)?;
    let view = views.change_view(&actor, id, spec).await?;
    let count = views.count_view(&actor, &view.spec).await?;
    Ok(Json(View::of(view, count, true)))
}

#[utoipa::path(delete, path = "/api/v1/views/{id}", tag = "views",
    params(("id" = i64, Path, description = "View id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn delete_view(
    State(views): State<Views>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<ViewId>,
) -> ApiResult<StatusCode> {
    views.delete_view(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
