//! The API's one error type, answered as RFC 9457 problem details
//! (`application/problem+json`). Each case below says which status it maps to and why.
//! Server errors are logged with their cause; the client only learns that one happened.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use frontline_core::CoreError;
use frontline_domain::DomainError;
use serde::Serialize;
use utoipa::ToSchema;

/// One field-level message.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldError {
    /// The input the message is about, as a path: `subject`, `custom_fields.cost`, `status`.
    pub field: String,
    pub message: String,
}

/// An RFC 9457 problem.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A relative URI naming the kind of problem; `docs/API.md` lists them.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    slug: &'static str,
    detail: Option<String>,
    errors: Vec<FieldError>,
}

impl ApiError {
    pub fn new(status: StatusCode, slug: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            slug,
            detail: Some(detail.into()),
            errors: Vec::new(),
        }
    }

    /// 400: the request itself is malformed (syntax, a bad header, a bad query parameter).
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad-request", detail)
    }

    /// 422: well-formed, but values break the rules; every broken field is listed.
    pub fn invalid(errors: Vec<DomainError>) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            slug: "invalid-input",
            detail: Some("some fields are not valid".into()),
            errors: errors
                .into_iter()
                .map(|e| FieldError {
                    field: e.field,
                    message: e.message,
                })
                .collect(),
        }
    }

    /// One field's problem, with the status the caller chooses (400 for query parameters and
    /// headers, 422 for values).
    pub fn field(status: StatusCode, field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self {
            status,
            slug: if status == StatusCode::BAD_REQUEST {
                "bad-request"
            } else {
                "invalid-input"
            },
            detail: Some(format!("{field}: {message}")),
            errors: vec![FieldError {
                field: field.to_owned(),
                message,
            }],
        }
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not-found",
            format!("{what} not found"),
        )
    }
}

impl From<CoreError> for ApiError {
    fn from(e: CoreError) -> Self {
        match e {
            // 401: no or unknown credentials; the response says how to authenticate.
            CoreError::Unauthenticated => Self::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "send a valid API token as `Authorization: Bearer <token>`",
            ),
            // 403: known caller, not allowed; the message says what is reserved to whom.
            CoreError::Forbidden(m) => Self::new(StatusCode::FORBIDDEN, "forbidden", m),
            // 404: also for things the caller may not see, so existence is not revealed.
            CoreError::NotFound(what) => Self::not_found(what),
            CoreError::Invalid(errors) => Self::invalid(errors),
            // 409: conflicts with current state (duplicates, closed tickets).
            CoreError::Conflict(m) => Self::new(StatusCode::CONFLICT, "conflict", m),
            // 412: `If-Match` named an old version; re-read and re-apply.
            CoreError::Stale { current } => Self::new(
                StatusCode::PRECONDITION_FAILED,
                "stale",
                format!("the ticket changed since you read it; it is now at version {current}"),
            ),
            // 422: same key, different request; the client has a bug.
            e @ CoreError::IdempotencyMismatch => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
                e.to_string(),
            ),
            // 500: logged here with its cause; the client learns nothing internal.
            CoreError::Store(e) => {
                tracing::error!(error = %e, "storage failure");
                Self::internal()
            }
            CoreError::Internal(m) => {
                tracing::error!(error = %m, "internal failure");
                Self::internal()
            }
        }
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        Self::invalid(vec![e])
    }
}

impl ApiError {
    fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "something went wrong on our side; it has been logged",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_client_error() {
            tracing::info!(status = self.status.as_u16(), problem = self.slug, detail = ?self.detail, "request refused");
        }
        let problem = Problem {
            kind: format!("/problems/{}", self.slug),
            title: self.status.canonical_reason().unwrap_or("Error").to_owned(),
            status: self.status.as_u16(),
            detail: self.detail,
            errors: self.errors,
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut res = (self.status, body).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
