//! What can go wrong in an operation, in terms the front ends can turn into answers.
//! Internal causes (`Store`) are logged by the front end and never shown to the client.

use frontline_domain::DomainError;
use frontline_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// No credentials, or credentials that match nobody.
    #[error("authentication required")]
    Unauthenticated,
    /// The actor is known but may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The thing does not exist, or the actor may not know it exists.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The input breaks one or more rules; each names its field.
    #[error("invalid input")]
    Invalid(Vec<DomainError>),
    /// The request conflicts with the current state (a duplicate, a closed ticket).
    #[error("{0}")]
    Conflict(String),
    /// `If-Match` named a version that is no longer current.
    #[error("the ticket changed since you read it (now at version {current})")]
    Stale { current: i64 },
    /// An idempotency key was reused for a different request.
    #[error("this Idempotency-Key was already used with a different request")]
    IdempotencyMismatch,
    #[error(transparent)]
    Store(StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for CoreError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Duplicate(what) => CoreError::Conflict(format!("already exists ({what})")),
            other => CoreError::Store(other),
        }
    }
}

impl From<DomainError> for CoreError {
    fn from(e: DomainError) -> Self {
        CoreError::Invalid(vec![e])
    }
}

impl CoreError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        CoreError::Invalid(vec![DomainError::new(field, message)])
    }

    /// Whether running the same operation again may succeed: a unique-key race lost to a
    /// concurrent request, or transient contention in the database.
    pub fn is_retryable(&self) -> bool {
        match self {
            CoreError::Conflict(_) => true,
            CoreError::Store(e) => e.is_transient(),
            _ => false,
        }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        CoreError::Forbidden(message.into())
    }
}
