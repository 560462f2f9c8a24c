//! API tokens, stored only as their SHA-256 hash.

use frontline_domain::{User, UserId};

use crate::conn::on;
use crate::users::UserRow;
use crate::{Conn, Result};

impl Conn<'_> {
    pub async fn insert_token(
        &mut self,
        user_id: UserId,
        token_hash: &str,
        name: &str,
        at: i64,
    ) -> Result<i64> {
        Ok(on!(self, |c| {
            sqlx::query_scalar(
            "INSERT INTO api_tokens (user_id, token_hash, name, created_at) VALUES ($1, $2, $3, $4) \
             RETURNING id"
        )
        .bind(user_id.get())
        .bind(token_hash)
        .bind(name)
        .bind(at)
        .fetch_one(c)
        .await?
        }))
    }

    /// The active person a token hash belongs to.
    pub async fn user_by_token(&mut self, token_hash: &str) -> Result<Option<User>> {
        let row: Option<UserRow> = on!(self, |c| {
            sqlx::query_as(
            "SELECT u.id, u.email, u.name, u.role, u.organization_id, u.password_hash, u.active, \
             u.created_at FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND u.active"
        )
        .bind(token_hash)
        .fetch_optional(c)
        .await?
        });
        row.map(User::try_from).transpose()
    }
}
