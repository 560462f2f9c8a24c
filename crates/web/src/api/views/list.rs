//! `GET /api/v1/views`, `GET /api/v1/views/{id}` and `GET /api/v1/views/{id}/tickets`.

use axum::Json;
use axum::extract::State;
use frontline_core::Views;

use super::{View, ViewList};
use crate::api::tickets::dto::{Ticket, TicketPage};
use crate::extract::{ApiPath, Auth, Cursor, PageParams, QueryPairs};
use crate::problem::{ApiResult, Problem};
use frontline_domain::ViewId;

#[utoipa::path(get, path = "/api/v1/views", tag = "views",
    responses((status = 200, body = ViewList), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn list_views(
    State(views): State<Views>,
    Auth(actor): Auth,
) -> ApiResult<Json<ViewList>> {
    let views = views.views_with_counts(&actor).await?;
    Ok(Json(ViewList {
        items: views
            .into_iter()
            .map(|(v, n)| {
                let editable = v.editable_by(&actor);
                View::of(v, n, editable)
            })
            .collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/views/{id}", tag = "views",
    params(("id" = i64, Path, description = "View id")),
    responses((status = 200, body = View), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn get_view(
    State(views): State<Views>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<ViewId>,
) -> ApiResult<Json<View>> {
    let view = views.view(&actor, id).await?;
    let count = views.count_view(&actor, &view.spec).await?;
    let editable = view.editable_by(&actor);
    Ok(Json(View::of(view, count, editable)))
}

#[utoipa::path(get, path = "/api/v1/views/{id}/tickets", tag = "views",
    params(("id" = i64, Path, description = "View id"),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 200, description = "1–200, default 50"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page")),
    responses((status = 200, body = TicketPage), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn view_tickets(
    State(views): State<Views>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<ViewId>,
    QueryPairs(pairs): QueryPairs,
) -> ApiResult<Json<TicketPage>> {
    let params = PageParams::from_pairs(&pairs)?;
    let view = views.view(&actor, id).await?;
    // The cursor names the view's order, so a page of another order is refused.
    let tag = frontline_core::views::sort_text(view.spec.sort);
    let after = params
        .cursor
        .as_deref()
        .map(|c| Cursor::decode(&tag, c))
        .transpose()?;
    let page = views
        .view_tickets(&actor, &view.spec, after, params.limit)
        .await?;
    Ok(Json(TicketPage {
        items: page.items.into_iter().map(Ticket::from).collect(),
        next_cursor: page.next.map(|k| Cursor::encode(&tag, &k)),
    }))
}
