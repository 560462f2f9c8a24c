//! Idempotency keys: a repeated creation with the same key returns the first result.
//! The key is written in the same transaction as the ticket it created.

use crate::conn::on;
use crate::{Conn, Result};
use frontline_domain::{TicketId, UserId};

impl Conn<'_> {
    /// The stored `(request_hash, ticket_id)` of a key, if it was used.
    pub async fn idempotency_key(
        &mut self,
        user_id: UserId,
        key: &str,
    ) -> Result<Option<(String, TicketId)>> {
        Ok(on!(self, |c| sqlx::query_as(
            "SELECT request_hash, ticket_id FROM idempotency_keys WHERE user_id = $1 AND key = $2"
        )
        .bind(user_id.get())
        .bind(key)
        .fetch_optional(c)
        .await?)
        .map(|(hash, id)| (hash, TicketId::new(id))))
    }

    pub async fn insert_idempotency_key(
        &mut self,
        user_id: UserId,
        key: &str,
        request_hash: &str,
        ticket_id: TicketId,
        at: i64,
    ) -> Result<()> {
        on!(self, |c| sqlx::query(
            "INSERT INTO idempotency_keys (user_id, key, request_hash, ticket_id, created_at) \
             VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(user_id.get())
        .bind(key)
        .bind(request_hash)
        .bind(ticket_id.get())
        .bind(at)
        .execute(c)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Forgets keys used before `before`; returns how many.
    pub async fn expire_idempotency_keys(&mut self, before: i64) -> Result<u64> {
        Ok(on!(self, |c| sqlx::query(
            "DELETE FROM idempotency_keys WHERE created_at < $1"
        )
        .bind(before)
        .execute(c)
        .await?
        .rows_affected()))
    }
}
