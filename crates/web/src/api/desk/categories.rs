//! `/api/v1/categories`: the category tree, as paths like `Network/VPN`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use frontline_core::Config;
use frontline_domain::{CategoryId, CategoryPath};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::extract::{Allowed, Configure};
use crate::extract::{ApiJson, Auth};
use crate::problem::{ApiResult, Problem};

#[derive(Debug, Serialize, ToSchema)]
pub struct Category {
    pub id: i64,
    pub path: String,
    pub name: String,
    pub parent_id: Option<i64>,
}

impl From<frontline_domain::Category> for Category {
    fn from(c: frontline_domain::Category) -> Self {
        Self {
            id: c.id.get(),
            path: c.path,
            name: c.name,
            parent_id: c.parent_id.map(CategoryId::get),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryList {
    pub items: Vec<Category>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCategory {
    /// Missing parents are created too.
    pub path: String,
}

#[utoipa::path(get, path = "/api/v1/categories", tag = "configuration",
    responses((status = 200, body = CategoryList)), security(("bearer" = [])))]
pub async fn list_categories(
    State(config): State<Config>,
    _auth: Auth,
) -> ApiResult<Json<CategoryList>> {
    let items = config.categories().await?;
    Ok(Json(CategoryList {
        items: items.into_iter().map(Category::from).collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/categories", tag = "configuration", request_body = CreateCategory,
    responses((status = 201, body = Category), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn create_category(
    State(config): State<Config>,
    Allowed { actor, .. }: Allowed<Configure>,
    body: ApiJson<CreateCategory>,
) -> ApiResult<(StatusCode, Json<Category>)> {
    let path = CategoryPath::parse("path", &body.value.path)?;
    let row = config.add_category(Some(&actor), &path).await?;
    Ok((StatusCode::CREATED, Json(Category::from(row))))
}
