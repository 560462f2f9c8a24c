//! Request headers with meaning: `If-Match` for optimistic concurrency and
//! `Idempotency-Key` for safe retries of creation.

use axum::extract::FromRequestParts;
use axum::http::header::IF_MATCH;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};

use crate::problem::ApiError;

/// The version the client last read, from `If-Match: "<version>"`. `None` when absent or `*`.
pub struct IfMatch(pub Option<i64>);

/// The strong ETag of a ticket at a version.
pub fn etag(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("\"0\""))
}

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let Some(raw) = parts.headers.get(IF_MATCH) else {
            return Ok(IfMatch(None));
        };
        let text = raw
            .to_str()
            .map_err(|_| ApiError::bad_request("If-Match is not readable"))?
            .trim();
        if text == "*" {
            return Ok(IfMatch(None));
        }
        // An ETag we never issued cannot match the current one: answer 412, as RFC 9110 says.
        let version = text
            .trim_start_matches("W/")
            .trim_matches('"')
            .parse::<i64>()
            .unwrap_or(-1);
        Ok(IfMatch(Some(version)))
    }
}

pub struct IdempotencyKeyHeader(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKeyHeader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        key(&parts.headers).map(IdempotencyKeyHeader)
    }
}

fn key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(raw) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let text = raw.to_str().unwrap_or_default().trim().trim_matches('"');
    if text.is_empty() || text.len() > 255 || !text.chars().all(|c| c.is_ascii_graphic()) {
        return Err(ApiError::bad_request(
            "Idempotency-Key must be 1 to 255 visible ASCII characters",
        ));
    }
    Ok(Some(text.to_owned()))
}
