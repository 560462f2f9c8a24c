//! `Idempotency-Key`: a client's promise that a repeated request means the same creation.

/// A client's `Idempotency-Key` and the hash of the request it came with. The key is written
/// in the creating transaction, so a retry after a crash finds the ticket it created; the same
/// key with another request hash is refused.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    pub key: String,
    pub request_hash: String,
}
