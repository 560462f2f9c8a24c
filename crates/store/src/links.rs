//! Links between tickets, stored once each in their canonical direction.

use frontline_domain::{Link, LinkKind, TicketId, Timestamp};
use sqlx::FromRow;

use crate::conn::on;
use crate::{Conn, Result, StoreError};

/// A link as stored.
#[derive(Debug, Clone, PartialEq, FromRow)]
struct LinkRow {
    source_id: i64,
    kind: String,
    target_id: i64,
    created_at: i64,
}

impl TryFrom<LinkRow> for Link {
    type Error = StoreError;

    fn try_from(r: LinkRow) -> Result<Self> {
        Ok(Link {
            source_id: TicketId::new(r.source_id),
            kind: LinkKind::parse(&r.kind)
                .map_err(|e| StoreError::corrupt("ticket_links.kind", e))?,
            target_id: TicketId::new(r.target_id),
            created_at: Timestamp::from_micros(r.created_at),
        })
    }
}

impl Conn<'_> {
    /// Returns false when the link already existed.
    pub async fn insert_link(&mut self, l: &Link) -> Result<bool> {
        let n = on!(self, |c| sqlx::query(
            "INSERT INTO ticket_links (source_id, kind, target_id, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING"
        )
        .bind(l.source_id.get())
        .bind(l.kind.as_str())
        .bind(l.target_id.get())
        .bind(l.created_at.as_micros())
        .execute(c)
        .await?
        .rows_affected());
        Ok(n == 1)
    }

    /// Returns false when there was no such link.
    pub async fn delete_link(
        &mut self,
        source_id: TicketId,
        kind: LinkKind,
        target_id: TicketId,
    ) -> Result<bool> {
        let n = on!(self, |c| sqlx::query(
            "DELETE FROM ticket_links WHERE source_id = $1 AND kind = $2 AND target_id = $3"
        )
        .bind(source_id.get())
        .bind(kind.as_str())
        .bind(target_id.get())
        .execute(c)
        .await?
        .rows_affected());
        Ok(n == 1)
    }

    /// Every link that touches a ticket, from either side.
    pub async fn links_of(&mut self, ticket_id: TicketId) -> Result<Vec<Link>> {
        let rows: Vec<LinkRow> = on!(self, |c| sqlx::query_as(
            "SELECT source_id, kind, target_id, created_at FROM ticket_links \
             WHERE source_id = $1 OR target_id = $1 ORDER BY created_at, source_id, target_id"
        )
        .bind(ticket_id.get())
        .fetch_all(c)
        .await?);
        rows.into_iter().map(Link::try_from).collect()
    }
}
