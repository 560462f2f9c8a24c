//! The audit trail: append-only, one row per change, with its exact time and actor.

use frontline_domain::{
    Email, Event, EventId, EventKind, EventRecord, TicketId, Timestamp, UserId,
};
use sqlx::{AssertSqlSafe, FromRow};

use crate::conn::on;
use crate::{Conn, Result, StoreError};

/// An entry of the trail as stored.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub(crate) struct EventRow {
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

/// An entry as stored, with its actor's email joined in.
#[derive(Debug, Clone, FromRow)]
struct EventViewRow {
    #[sqlx(flatten)]
    row: EventRow,
    actor_email: Option<String>,
    actor_name: Option<String>,
}

impl TryFrom<EventRow> for EventRecord {
    type Error = StoreError;

    fn try_from(r: EventRow) -> Result<Self> {
        Ok(EventRecord {
            id: EventId::new(r.id),
            ticket_id: TicketId::new(r.ticket_id),
            actor_id: r.actor_id.map(UserId::new),
            at: Timestamp::from_micros(r.at),
            kind: EventKind::parse(&r.kind).map_err(|e| StoreError::corrupt("events.kind", e))?,
            field: r.field,
            old_value: r.old_value,
            new_value: r.new_value,
            internal: r.internal,
        })
    }
}

impl Conn<'_> {
    /// Appends one entry and returns its number; `e.id` is ignored.
    pub async fn insert_event(&mut self, e: &EventRecord) -> Result<EventId> {
        let id: i64 = on!(self, |c| sqlx::query_scalar(
            "INSERT INTO events (ticket_id, actor_id, at, kind, field, old_value, new_value, \
             internal) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"
        )
        .bind(e.ticket_id.get())
        .bind(e.actor_id.map(UserId::get))
        .bind(e.at.as_micros())
        .bind(e.kind.as_str())
        .bind(&e.field)
        .bind(&e.old_value)
        .bind(&e.new_value)
        .bind(e.internal)
        .fetch_one(c)
        .await?);
        Ok(EventId::new(id))
    }

    pub async fn events(
        &mut self,
        ticket_id: TicketId,
        with_internal: bool,
        after_id: EventId,
        limit: i64,
    ) -> Result<Vec<Event>> {
        let sql = format!(
            "SELECT e.id, e.ticket_id, e.actor_id, e.at, e.kind, e.field, e.old_value, \
             e.new_value, e.internal, u.email AS actor_email, u.name AS actor_name FROM events e \
             LEFT JOIN users u ON u.id = e.actor_id \
             WHERE e.ticket_id = $1 AND e.id > $2 AND ($3 OR NOT e.internal) \
             ORDER BY e.id {}",
            crate::dialect::limit(limit)
        );
        let rows: Vec<EventViewRow> = on!(self, |c| sqlx::query_as(AssertSqlSafe(sql.clone()))
            .bind(ticket_id.get())
            .bind(after_id.get())
            .bind(with_internal)
            .fetch_all(c)
            .await?);
        rows.into_iter()
            .map(|v| {
                Ok(Event {
                    record: v.row.try_into()?,
                    actor_email: v.actor_email.map(Email::from_parsed),
                    actor_name: v.actor_name,
                })
            })
            .collect()
    }
}
