//! `ApiPath`: path parameters, with a problem-details 400 when one does not parse (a ticket
//! number that is not a number).

use axum::extract::FromRequestParts;
use axum::extract::rejection::PathRejection;

use crate::problem::ApiError;

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        ApiError::bad_request(format!("the path is not valid: {}", r.body_text()))
    }
}
