//! What a page answers when something goes wrong: a redirect to sign in, or a small HTML page
//! that says what happened in plain words. Internal causes are logged and never shown. The
//! page is rendered without knowing who asked; `dress::dress_errors` shows it again inside
//! the signed-in person's navigation, so an error never strands anyone.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use frontline_core::CoreError;

use crate::view::Chrome;

/// What an error page said, kept on its response for `dress::dress_errors`.
#[derive(Clone)]
pub(crate) struct Shown {
    pub title: &'static str,
    pub message: String,
}

#[derive(Debug)]
pub(crate) enum UiError {
    /// Not signed in (or the session ran out): back to `/login`, then on to `next`.
    SignIn {
        next: String,
    },
    /// Signed in, but this page is not for this person.
    Forbidden(String),
    NotFound,
    /// A form arrived without the session's CSRF token (or with another session's).
    Csrf,
    /// Input a form cannot take, said in words.
    BadRequest(String),
    Internal(String),
}

#[derive(Template)]
#[template(path = "error.html")]
pub(crate) struct ErrorPage<'a> {
    pub chrome: Chrome,
    pub title: &'a str,
    pub message: &'a str,
}

impl From<CoreError> for UiError {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::Unauthenticated => UiError::SignIn { next: "/".into() },
            CoreError::Forbidden(m) => UiError::Forbidden(m),
            CoreError::NotFound(_) => UiError::NotFound,
            CoreError::Invalid(errors) => UiError::BadRequest(describe_invalid(&errors)),
            CoreError::Conflict(m) => UiError::BadRequest(m),
            other @ (CoreError::Stale { .. } | CoreError::IdempotencyMismatch) => {
                UiError::BadRequest(other.to_string())
            }
            other => UiError::Internal(other.to_string()),
        }
    }
}

impl From<askama::Error> for UiError {
    fn from(e: askama::Error) -> Self {
        UiError::Internal(format!("template: {e}"))
    }
}

/// Field errors as one sentence a person can act on.
pub(crate) fn describe_invalid(errors: &[frontline_domain::DomainError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field.replace('_', " "), e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl IntoResponse for UiError {
    fn into_response(self) -> Response {
        let (status, title, message) = match &self {
            UiError::SignIn { next } => {
                return Redirect::to(&format!("/login?next={}", encode(next, true)))
                    .into_response();
            }
            UiError::Forbidden(m) => (StatusCode::FORBIDDEN, "Not available to you", m.clone()),
            UiError::NotFound => (
                StatusCode::NOT_FOUND,
                "Not found",
                "There is nothing here, or it is not yours to see.".to_owned(),
            ),
            UiError::Csrf => (
                StatusCode::FORBIDDEN,
                "Form expired",
                "This form was not sent from a page of this desk, or your session changed. \
                 Go back, reload the page and try again."
                    .to_owned(),
            ),
            UiError::BadRequest(m) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "That did not work",
                m.clone(),
            ),
            UiError::Internal(cause) => {
                tracing::error!(%cause, "page failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "The desk could not show this page. Please try again in a moment.".to_owned(),
                )
            }
        };
        let page = ErrorPage {
            chrome: Chrome::anonymous(),
            title,
            message: &message,
        };
        let mut response = match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, message.clone()).into_response(),
        };
        response.extensions_mut().insert(Shown { title, message });
        response
    }
}

/// The page answered for a path that is no page (the API answers its own in JSON).
pub fn not_found_page() -> Response {
    UiError::NotFound.into_response()
}

/// Percent-encodes text for a query parameter; `/` stays as it is when `keep_slash` (a path).
pub(crate) fn encode(text: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        let plain = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~');
        if plain || (keep_slash && b == b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
