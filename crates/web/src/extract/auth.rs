//! `Auth`: the person behind the request's bearer token.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use frontline_core::{Actor, CoreError};

use crate::problem::ApiError;
use crate::state::AppState;

pub struct Auth(pub Actor);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or(CoreError::Unauthenticated)?;
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .ok_or(CoreError::Unauthenticated)?;
        let actor = state.desk.auth().authenticate_token(token.trim()).await?;
        tracing::Span::current().record("actor", actor.id.get());
        Ok(Auth(actor))
    }
}
