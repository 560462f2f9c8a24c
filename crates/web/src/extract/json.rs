//! `ApiJson`: a JSON body, with errors that name the offending field.
//!
//! Malformed JSON is a 400; well-formed JSON with a wrong type, an unknown field or a missing
//! field is a 422 naming the field's path. The SHA-256 of the raw body is kept for
//! `Idempotency-Key` checks.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use serde::de::DeserializeOwned;

use crate::problem::ApiError;

/// JSON bodies are small; a larger one is refused with 413 before it is read.
pub const JSON_BODY_LIMIT: usize = 1024 * 1024;

pub struct ApiJson<T> {
    pub value: T,
    pub sha256: String,
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|m| {
                let m = m.trim().to_ascii_lowercase();
                m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
            });
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "send the body as JSON with `Content-Type: application/json`",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too-large",
                    "the request body is too large",
                )
            } else {
                ApiError::bad_request(format!("could not read the body: {e}"))
            }
        })?;
        let value = parse(&bytes)?;
        Ok(Self {
            value,
            sha256: frontline_core::auth::sha256_hex(&bytes),
        })
    }
}

pub(crate) fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // Syntax first, over the whole body: a typed read stops at the first wrong field and never
    // looks at trailing bytes, so `{"a":1}}` would be a 422 and `{…} junk` accepted.
    serde_json::from_slice::<serde::de::IgnoredAny>(bytes)
        .map_err(|e| ApiError::bad_request(format!("the body is not valid JSON: {e}")))?;
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() || inner.is_io() {
            ApiError::bad_request(format!("the body is not valid JSON: {inner}"))
        } else {
            let field = if path == "." { "body".to_owned() } else { path };
            ApiError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                &field,
                strip_position(&inner.to_string()),
            )
        }
    })
}

/// serde_json appends " at line 1 column 40"; the field path already says where.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}
