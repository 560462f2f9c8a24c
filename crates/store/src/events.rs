//! The audit trail: append-only, one row per change, with its exact time and actor.

use sqlx::FromRow;

use crate::conn::on;
use crate::{Conn, Result};

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct EventRow {
    pub id: i64,
    pub ticket_id: i64,
    pub actor_id: Option<i64>,
    pub at: i64,
    pub kind: String,
    pub field: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub internal: bool,
}

#[derive(Debug, Clone, FromRow)]
pub struct EventView {
    #[sqlx(flatten)]
    pub row: EventRow,
    pub actor_email: Option<String>,
}

impl Conn<'_> {
    pub async fn insert_event(&mut self, e: &EventRow) -> Result<i64> {
        Ok(on!(self, |c| sqlx::query_scalar(
            "INSERT INTO events (ticket_id, actor_id, at, kind, field, old_value, new_value, \
             internal) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"
        )
        .bind(e.ticket_id)
        .bind(e.actor_id)
        .bind(e.at)
        .bind(&e.kind)
        .bind(&e.field)
        .bind(&e.old_value)
        .bind(&e.new_value)
        .bind(e.internal)
        .fetch_one(c)
        .await?))
    }

    pub async fn events(
        &mut self,
        ticket_id: i64,
        with_internal: bool,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<EventView>> {
        Ok(on!(self, |c| sqlx::query_as(
            "SELECT e.id, e.ticket_id, e.actor_id, e.at, e.kind, e.field, e.old_value, \
             e.new_value, e.internal, u.email AS actor_email FROM events e \
             LEFT JOIN users u ON u.id = e.actor_id \
             WHERE e.ticket_id = $1 AND e.id > $2 AND ($3 OR NOT e.internal) \
             ORDER BY e.id LIMIT $4"
        )
        .bind(ticket_id)
        .bind(after_id)
        .bind(with_internal)
        .bind(limit)
        .fetch_all(c)
        .await?))
    }
}
