//! Links between tickets, stored once each in their canonical direction.

use sqlx::FromRow;

use crate::conn::on;
use crate::{Conn, Result};

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct LinkRow {
    pub source_id: i64,
    pub kind: String,
    pub target_id: i64,
    pub created_at: i64,
}

impl Conn<'_> {
    /// Returns false when the link already existed.
    pub async fn insert_link(&mut self, l: &LinkRow) -> Result<bool> {
        let n = on!(self, |c| sqlx::query(
            "INSERT INTO ticket_links (source_id, kind, target_id, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING"
        )
        .bind(l.source_id)
        .bind(&l.kind)
        .bind(l.target_id)
        .bind(l.created_at)
        .execute(c)
        .await?
        .rows_affected());
        Ok(n == 1)
    }

    /// Returns false when there was no such link.
    pub async fn delete_link(
        &mut self,
        source_id: i64,
        kind: &str,
        target_id: i64,
    ) -> Result<bool> {
        let n = on!(self, |c| sqlx::query(
            "DELETE FROM ticket_links WHERE source_id = $1 AND kind = $2 AND target_id = $3"
        )
        .bind(source_id)
        .bind(kind)
        .bind(target_id)
        .execute(c)
        .await?
        .rows_affected());
        Ok(n == 1)
    }

    /// Every link that touches a ticket, from either side.
    pub async fn links_of(&mut self, ticket_id: i64) -> Result<Vec<LinkRow>> {
        Ok(on!(self, |c| sqlx::query_as(
            "SELECT source_id, kind, target_id, created_at FROM ticket_links \
             WHERE source_id = $1 OR target_id = $1 ORDER BY created_at, source_id, target_id"
        )
        .bind(ticket_id)
        .fetch_all(c)
        .await?))
    }
}
