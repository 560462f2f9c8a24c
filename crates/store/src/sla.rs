//! SLA rows: calendars, policies in their order, each ticket's SLA targets and the summary
//! queues sort and filter by. The history a clock is replayed from is read from the audit
//! trail.

use sqlx::FromRow;

use crate::conn::on;
use crate::{Conn, Result};

mod edit;
pub use edit::CalendarUses;

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct CalendarRow {
    pub id: i64,
    pub name: String,
    pub definition: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct PolicyRow {
    pub id: i64,
    pub name: String,
    pub position: i64,
    pub calendar_id: i64,
    pub definition: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct TicketSlaRow {
    pub ticket_id: i64,
    pub target: String,
    pub policy_id: i64,
    pub state: String,
    pub goal: i64,
    pub elapsed: i64,
    pub started_at: i64,
    pub due_at: Option<i64>,
    pub warn_at: Option<i64>,
    pub met_at: Option<i64>,
    pub breached_at: Option<i64>,
    pub warned_at: Option<i64>,
    pub updated_at: i64,
    /// When the breach's escalation ran (once per breach).
    pub escalated_at: Option<i64>,
}

/// What queues sort and filter a ticket by, kept by the SLA reconcile: the earliest due time of
/// a target still counting (in the past when overdue), and whether any target breached.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, FromRow)]
pub struct SlaSummary {
    #[sqlx(rename = "sla_due_at")]
    pub due_at: Option<i64>,
    #[sqlx(rename = "sla_breached")]
    pub breached: bool,
}

/// One entry of the audit trail as an SLA clock reads it.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct HistoryRow {
    pub at: i64,
    pub kind: String,
    pub field: Option<String>,
    pub new_value: Option<String>,
}

const SLA_COLUMNS: &str = "ticket_id, target, policy_id, state, goal, elapsed, started_at, \
    due_at, warn_at, met_at, breached_at, warned_at, updated_at, escalated_at";

impl Conn<'_> {
    pub async fn insert_calendar(&mut self, name: &str, definition: &str, now: i64) -> Result<i64> {
        Ok(on!(self, |c| sqlx::query_scalar(
            "INSERT INTO calendars (name, definition, created_at) VALUES ($1, $2, $3) RETURNING id"
        )
        .bind(name)
        .bind(definition)
        .bind(now)
        .fetch_one(c)
        .await?))
    }

    pub async fn calendars(&mut self) -> Result<Vec<CalendarRow>> {
        Ok(on!(self, |c| sqlx::query_as(
            "SELECT id, name, definition, created_at FROM calendars ORDER BY name"
        )
        .fetch_all(c)
        .await?))
    }

    /// Adds a policy after every existing one; returns its id and position.
    pub async fn insert_sla_policy(
        &mut self,
        name: &str,
        calendar_id: i64,
        definition: &str,
        now: i64,
    ) -> Result<(i64, i64)> {
        Ok(on!(self, |c| sqlx::query_as(
            "INSERT INTO sla_policies (name, position, calendar_id, definition, created_at) \
             VALUES ($1, (SELECT COALESCE(MAX(position), 0) + 1 FROM sla_policies), $2, $3, $4) \
             RETURNING id, position"
        )
        .bind(name)
        .bind(calendar_id)
        .bind(definition)
        .bind(now)
        .fetch_one(c)
        .await?))
    }

    /// Every policy, in the order they are tried.
    pub async fn sla_policies(&mut self) -> Result<Vec<PolicyRow>> {
        Ok(on!(self, |c| sqlx::query_as(
            "SELECT id, name, position, calendar_id, definition, created_at FROM sla_policies \
             ORDER BY position, id"
        )
        .fetch_all(c)
        .await?))
    }

    pub async fn ticket_slas(&mut self, ticket_id: i64) -> Result<Vec<TicketSlaRow>> {
        let sql =
            format!("SELECT {SLA_COLUMNS} FROM ticket_slas WHERE ticket_id = $1 ORDER BY target");
        Ok(on!(self, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(ticket_id)
            .fetch_all(c)
            .await?))
    }

    /// Writes a ticket's target, replacing what was stored for it.
    pub async fn put_ticket_sla(&mut self, r: &TicketSlaRow) -> Result<()> {
        let sql = format!(
            "INSERT INTO ticket_slas ({SLA_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
             $10, $11, $12, $13, $14) ON CONFLICT (ticket_id, target) DO UPDATE SET \
             policy_id = excluded.policy_id, state = excluded.state, goal = excluded.goal, \
             elapsed = excluded.elapsed, started_at = excluded.started_at, \
             due_at = excluded.due_at, warn_at = excluded.warn_at, met_at = excluded.met_at, \
             breached_at = excluded.breached_at, warned_at = excluded.warned_at, \
             updated_at = excluded.updated_at, escalated_at = excluded.escalated_at"
        );
        on!(self, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(r.ticket_id)
            .bind(&r.target)
            .bind(r.policy_id)
            .bind(&r.state)
            .bind(r.goal)
            .bind(r.elapsed)
            .bind(r.started_at)
            .bind(r.due_at)
            .bind(r.warn_at)
            .bind(r.met_at)
            .bind(r.breached_at)
            .bind(r.warned_at)
            .bind(r.updated_at)
            .bind(r.escalated_at)
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    pub async fn delete_ticket_sla(&mut self, ticket_id: i64, target: &str) -> Result<()> {
        on!(self, |c| sqlx::query(
            "DELETE FROM ticket_slas WHERE ticket_id = $1 AND target = $2"
        )
        .bind(ticket_id)
        .bind(target)
        .execute(c)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Stores what queues sort and filter by: the earliest due time of a target still
    /// counting, and whether any target breached.
    pub async fn set_ticket_sla_summary(&mut self, ticket_id: i64, s: SlaSummary) -> Result<()> {
        on!(self, |c| sqlx::query(
            "UPDATE tickets SET sla_due_at = $1, sla_breached = $2 WHERE id = $3"
        )
        .bind(s.due_at)
        .bind(s.breached)
        .bind(ticket_id)
        .execute(c)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Active staff to tell about a ticket: the assignee, the members of `groups`, and with
    /// `managers` every manager; ids in order, each once.
    pub async fn staff_to_notify(
        &mut self,
        assignee: Option<i64>,
        groups: &[i64],
        managers: bool,
    ) -> Result<Vec<i64>> {
        let mut ids = Vec::new();
        if let Some(a) = assignee {
            ids.extend::<Vec<i64>>(on!(self, |c| sqlx::query_scalar(
                "SELECT id FROM users WHERE id = $1 AND active"
            )
            .bind(a)
            .fetch_all(c)
            .await?));
        }
        for g in groups {
            ids.extend::<Vec<i64>>(on!(self, |c| sqlx::query_scalar(
                "SELECT u.id FROM group_members m JOIN users u ON u.id = m.user_id \
                 WHERE m.group_id = $1 AND u.active"
            )
            .bind(*g)
            .fetch_all(c)
            .await?));
        }
        if managers {
            ids.extend::<Vec<i64>>(on!(self, |c| sqlx::query_scalar(
                "SELECT id FROM users WHERE role = 'manager' AND active"
            )
            .fetch_all(c)
            .await?));
        }
        ids.sort_unstable();
        ids.dedup();
        Ok(ids)
    }

    /// The entries of a ticket's trail that move SLA clocks, oldest first.
    pub async fn sla_history(&mut self, ticket_id: i64) -> Result<Vec<HistoryRow>> {
        Ok(on!(self, |c| sqlx::query_as(
            "SELECT at, kind, field, new_value FROM events WHERE ticket_id = $1 \
             AND (kind IN ('created', 'replied') OR (kind = 'field_changed' AND field = 'status')) \
             ORDER BY id"
        )
        .bind(ticket_id)
        .fetch_all(c)
        .await?))
    }
}
