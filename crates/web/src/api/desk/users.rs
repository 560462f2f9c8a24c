//! `/api/v1/users`: people. Admins add them; agents list them; everyone reads themselves.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use frontline_core::People;
use frontline_core::people::NewUser;
use frontline_domain::{Email, Role};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::Fields;
use crate::extract::unknown_parameter;
use crate::extract::{AddPeople, Allowed, ReadDesk};
use crate::extract::{ApiJson, Auth, Cursor, PageParams, QueryPairs, paginate};
use crate::problem::{ApiError, ApiResult, Problem};

#[derive(Debug, Serialize, ToSchema)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    /// requester, agent, manager or admin.
    pub role: String,
    pub active: bool,
    pub created_at: String,
}

impl From<frontline_domain::User> for User {
    fn from(u: frontline_domain::User) -> Self {
        Self {
            id: u.id.get(),
            email: u.email.to_string(),
            name: u.name,
            role: u.role.as_str().to_owned(),
            active: u.active,
            created_at: u.created_at.to_rfc3339(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserPage {
    pub items: Vec<User>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    pub email: String,
    pub name: String,
    pub role: String,
    /// Organization name; by default the one whose domain matches the email.
    pub organization: Option<String>,
    /// At least 8 characters; without one the person cannot sign in with a password.
    pub password: Option<String>,
}

/// The caller, as their token names them.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub email: String,
    pub name: String,
    /// requester, agent, manager or admin.
    #[schema(pattern = "^(requester|agent|manager|admin)$")]
    pub role: String,
}

#[utoipa::path(
    get, path = "/api/v1/users/me", tag = "people",
    responses((status = 200, body = Me)),
    security(("bearer" = []))
)]
pub async fn me(Auth(actor): Auth) -> Json<Me> {
    Json(Me {
        id: actor.id.get(),
        email: actor.email.to_string(),
        name: actor.name,
        role: actor.role.as_str().to_owned(),
    })
}

#[utoipa::path(
    get, path = "/api/v1/users", tag = "people",
    params(("role" = Option<String>, Query, pattern = "^(requester|agent|manager|admin)$", description = "requester, agent, manager or admin"), ("limit" = Option<i64>, Query, minimum = 1, maximum = 200, description = "1–200, default 50"), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = UserPage), (status = 403, body = Problem)),
    security(("bearer" = []))
)]
pub async fn list_users(
    State(people): State<People>,
    Allowed { actor, .. }: Allowed<ReadDesk>,
    QueryPairs(pairs): QueryPairs,
) -> ApiResult<Json<UserPage>> {
    let mut role = None;
    let mut rest = Vec::new();
    for (k, v) in pairs {
        match k.as_str() {
            "role" => {
                role = Some(
                    Role::parse(&v)
                        .map_err(|e| ApiError::field(StatusCode::BAD_REQUEST, "role", e.message))?,
                )
            }
            "limit" | "cursor" => rest.push((k, v)),
            other => return Err(unknown_parameter(other)),
        }
    }
    let page = PageParams::from_pairs(&rest)?;
    let after = match &page.cursor {
        Some(c) => Cursor::decode_text("users", c)?,
        None => String::new(),
    };
    let users = people
        .list_users(&actor, role, &after, page.limit + 1)
        .await?;
    let (users, next_cursor) = paginate(users, page.limit, |u| {
        Cursor::encode_text("users", &u.email)
    });
    Ok(Json(UserPage {
        items: users.into_iter().map(User::from).collect(),
        next_cursor,
    }))
}

#[utoipa::path(
    post, path = "/api/v1/users", tag = "people",
    request_body = CreateUser,
    responses((status = 201, body = User), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []))
)]
pub async fn create_user(
    State(people): State<People>,
    Allowed { actor, .. }: Allowed<AddPeople>,
    body: ApiJson<CreateUser>,
) -> ApiResult<(StatusCode, Json<User>)> {
    let b = body.value;
    let mut f = Fields::default();
    let email = f.take(Email::parse("email", &b.email));
    let role = f.take(Role::parse(&b.role));
    f.finish()?;
    let (Some(email), Some(role)) = (email, role) else {
        return Err(ApiError::bad_request("the person could not be read"));
    };
    let new = NewUser {
        email,
        name: b.name,
        role,
        organization: b.organization,
        password: b.password,
    };
    let user = people.add_user(Some(&actor), new).await?;
    Ok((StatusCode::CREATED, Json(User::from(user))))
}
