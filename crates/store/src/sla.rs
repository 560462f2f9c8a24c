//! SLA rows: calendars, policies in their order, each ticket's SLA targets and the summary
//! queues sort and filter by. The history a clock is replayed from is read from the audit
//! trail.

use frontline_domain::calendar::CalendarRecord;
use frontline_domain::sla::{
    self, ClockState, Happening, Moment, Policy, PolicyRecord, SlaTarget, Target,
};
use frontline_domain::{
    Calendar, CalendarId, GroupId, Role, SlaPolicyId, Status, TicketId, Timestamp, UserId,
};
use serde::Serialize;
use sqlx::FromRow;

use crate::conn::on;
use crate::{Conn, Result, StoreError};

mod edit;

#[derive(Debug, Clone, PartialEq, FromRow)]
pub(crate) struct CalendarRow {
    pub id: i64,
    pub name: String,
    pub definition: String,
    pub created_at: i64,
}

impl TryFrom<CalendarRow> for CalendarRecord {
    type Error = StoreError;

    fn try_from(r: CalendarRow) -> Result<Self> {
        Ok(CalendarRecord {
            calendar: serde_json::from_str(&r.definition)
                .map_err(|e| StoreError::corrupt("calendars.definition", e))?,
            id: CalendarId::new(r.id),
            name: r.name,
            created_at: Timestamp::from_micros(r.created_at),
        })
    }
}

/// The `name` column repeats the definition's name for uniqueness; the definition is read.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub(crate) struct PolicyRow {
    pub id: i64,
    pub position: i64,
    pub calendar_id: i64,
    pub definition: String,
    pub created_at: i64,
}

impl TryFrom<PolicyRow> for PolicyRecord {
    type Error = StoreError;

    fn try_from(r: PolicyRow) -> Result<Self> {
        Ok(PolicyRecord {
            policy: serde_json::from_str(&r.definition)
                .map_err(|e| StoreError::corrupt("sla_policies.definition", e))?,
            id: SlaPolicyId::new(r.id),
            position: r.position,
            calendar_id: CalendarId::new(r.calendar_id),
            created_at: Timestamp::from_micros(r.created_at),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub(crate) struct TicketSlaRow {
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
    pub escalated_at: Option<i64>,
}

impl TryFrom<TicketSlaRow> for SlaTarget {
    type Error = StoreError;

    fn try_from(r: TicketSlaRow) -> Result<Self> {
        let at = |t: Option<i64>| t.map(Timestamp::from_micros);
        Ok(SlaTarget {
            ticket_id: TicketId::new(r.ticket_id),
            target: Target::parse(&r.target)
                .map_err(|e| StoreError::corrupt("ticket_slas.target", e))?,
            policy_id: SlaPolicyId::new(r.policy_id),
            state: ClockState::parse(&r.state)
                .map_err(|e| StoreError::corrupt("ticket_slas.state", e))?,
            goal: r.goal,
            elapsed: r.elapsed,
            started_at: Timestamp::from_micros(r.started_at),
            due_at: at(r.due_at),
            warn_at: at(r.warn_at),
            met_at: at(r.met_at),
            breached_at: at(r.breached_at),
            warned_at: at(r.warned_at),
            updated_at: Timestamp::from_micros(r.updated_at),
            escalated_at: at(r.escalated_at),
        })
    }
}

/// The queue summary as a ticket view reads it with the ticket's own columns; the desk
/// reads it as a [`frontline_domain::sla::SlaSummary`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, FromRow)]
pub(crate) struct SlaSummary {
    #[sqlx(rename = "sla_due_at")]
    pub due_at: Option<i64>,
    #[sqlx(rename = "sla_breached")]
    pub breached: bool,
}

impl From<SlaSummary> for sla::SlaSummary {
    fn from(s: SlaSummary) -> Self {
        sla::SlaSummary {
            due_at: s.due_at.map(Timestamp::from_micros),
            breached: s.breached,
        }
    }
}

/// One entry of the audit trail as an SLA clock reads it.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
struct HistoryRow {
    at: i64,
    kind: String,
    field: Option<String>,
    new_value: Option<String>,
}

impl HistoryRow {
    /// What the entry means to a clock; none for an entry no clock reads (a status or role
    /// no version wrote is skipped rather than stopping the replay).
    fn moment(&self) -> Option<Moment> {
        let what = match (self.kind.as_str(), self.field.as_deref()) {
            ("created", _) => Happening::Opened,
            ("field_changed", Some("status")) => {
                Happening::StatusChanged(Status::parse("status", self.new_value.as_deref()?).ok()?)
            }
            ("replied", Some(role)) => match Role::parse(role).ok()? {
                Role::Requester => Happening::RequesterReplied,
                _ => Happening::AgentReplied,
            },
            _ => return None,
        };
        Some(Moment {
            at: Timestamp::from_micros(self.at),
            what,
        })
    }
}

/// `value` as the JSON a `definition` column stores.
pub(crate) fn definition<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Database(sqlx::Error::Encode(Box::new(e))))
}

const SLA_COLUMNS: &str = "ticket_id, target, policy_id, state, goal, elapsed, started_at, \
    due_at, warn_at, met_at, breached_at, warned_at, updated_at, escalated_at";

impl Conn<'_> {
    pub async fn insert_calendar(
        &mut self,
        name: &str,
        calendar: &Calendar,
        now: Timestamp,
    ) -> Result<CalendarId> {
        let definition = definition(calendar)?;
        let id: i64 = on!(self, |c| {
            sqlx::query_scalar(
            "INSERT INTO calendars (name, definition, created_at) VALUES ($1, $2, $3) RETURNING id"
        )
        .bind(name)
        .bind(&definition)
        .bind(now.as_micros())
        .fetch_one(c)
        .await?
        });
        Ok(CalendarId::new(id))
    }

    pub async fn calendars(&mut self) -> Result<Vec<CalendarRecord>> {
        let rows: Vec<CalendarRow> = on!(self, |c| sqlx::query_as(
            "SELECT id, name, definition, created_at FROM calendars ORDER BY name"
        )
        .fetch_all(c)
        .await?);
        rows.into_iter().map(CalendarRecord::try_from).collect()
    }

    /// Adds a policy after every existing one; returns its id and position.
    pub async fn insert_sla_policy(
        &mut self,
        policy: &Policy,
        calendar_id: CalendarId,
        now: Timestamp,
    ) -> Result<(SlaPolicyId, i64)> {
        let definition = definition(policy)?;
        let (id, position): (i64, i64) = on!(self, |c| sqlx::query_as(
            "INSERT INTO sla_policies (name, position, calendar_id, definition, created_at) \
             VALUES ($1, (SELECT COALESCE(MAX(position), 0) + 1 FROM sla_policies), $2, $3, $4) \
             RETURNING id, position"
        )
        .bind(policy.name.trim())
        .bind(calendar_id.get())
        .bind(&definition)
        .bind(now.as_micros())
        .fetch_one(c)
        .await?);
        Ok((SlaPolicyId::new(id), position))
    }

    /// Every policy, in the order they are tried.
    pub async fn sla_policies(&mut self) -> Result<Vec<PolicyRecord>> {
        let rows: Vec<PolicyRow> = on!(self, |c| sqlx::query_as(
            "SELECT id, position, calendar_id, definition, created_at FROM sla_policies \
             ORDER BY position, id"
        )
        .fetch_all(c)
        .await?);
        rows.into_iter().map(PolicyRecord::try_from).collect()
    }

    /// A ticket's targets, in the order of [`Target`].
    pub async fn ticket_slas(&mut self, ticket_id: TicketId) -> Result<Vec<SlaTarget>> {
        self.ticket_slas_of(&[ticket_id]).await
    }

    /// The targets of several tickets (a queue page's), by ticket and in the order of
    /// [`Target`].
    pub async fn ticket_slas_of(&mut self, tickets: &[TicketId]) -> Result<Vec<SlaTarget>> {
        if tickets.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (1..=tickets.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT {SLA_COLUMNS} FROM ticket_slas WHERE ticket_id IN ({}) \
             ORDER BY ticket_id, target",
            marks.join(", ")
        );
        let rows: Vec<TicketSlaRow> = on!(self, |c| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for t in tickets {
                q = q.bind(t.get());
            }
            q.fetch_all(c).await?
        });
        rows.into_iter().map(SlaTarget::try_from).collect()
    }

    /// Writes a ticket's target, replacing what was stored for it.
    pub async fn put_ticket_sla(&mut self, t: &SlaTarget) -> Result<()> {
        let micros = |t: Option<Timestamp>| t.map(Timestamp::as_micros);
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
            .bind(t.ticket_id.get())
            .bind(t.target.as_str())
            .bind(t.policy_id.get())
            .bind(t.state.as_str())
            .bind(t.goal)
            .bind(t.elapsed)
            .bind(t.started_at.as_micros())
            .bind(micros(t.due_at))
            .bind(micros(t.warn_at))
            .bind(micros(t.met_at))
            .bind(micros(t.breached_at))
            .bind(micros(t.warned_at))
            .bind(t.updated_at.as_micros())
            .bind(micros(t.escalated_at))
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    pub async fn delete_ticket_sla(&mut self, ticket_id: TicketId, target: Target) -> Result<()> {
        on!(self, |c| sqlx::query(
            "DELETE FROM ticket_slas WHERE ticket_id = $1 AND target = $2"
        )
        .bind(ticket_id.get())
        .bind(target.as_str())
        .execute(c)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Stores what queues sort and filter by: the earliest due time of a target still
    /// counting, and whether any target breached.
    pub async fn set_ticket_sla_summary(
        &mut self,
        ticket_id: TicketId,
        s: sla::SlaSummary,
    ) -> Result<()> {
        on!(self, |c| sqlx::query(
            "UPDATE tickets SET sla_due_at = $1, sla_breached = $2 WHERE id = $3"
        )
        .bind(s.due_at.map(Timestamp::as_micros))
        .bind(s.breached)
        .bind(ticket_id.get())
        .execute(c)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Active staff to tell about a ticket: the assignee, the members of `groups`, and with
    /// `managers` every manager; ids in order, each once.
    pub async fn staff_to_notify(
        &mut self,
        assignee: Option<UserId>,
        groups: &[GroupId],
        managers: bool,
    ) -> Result<Vec<UserId>> {
        let mut ids = Vec::new();
        if let Some(a) = assignee {
            ids.extend::<Vec<i64>>(on!(self, |c| sqlx::query_scalar(
                "SELECT id FROM users WHERE id = $1 AND active"
            )
            .bind(a.get())
            .fetch_all(c)
            .await?));
        }
        for g in groups {
            ids.extend::<Vec<i64>>(on!(self, |c| sqlx::query_scalar(
                "SELECT u.id FROM group_members m JOIN users u ON u.id = m.user_id \
                 WHERE m.group_id = $1 AND u.active"
            )
            .bind(g.get())
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
        Ok(ids.into_iter().map(UserId::new).collect())
    }

    /// The entries of a ticket's trail that move SLA clocks, oldest first.
    pub async fn sla_history(&mut self, ticket_id: TicketId) -> Result<Vec<Moment>> {
        let rows: Vec<HistoryRow> = on!(self, |c| sqlx::query_as(
            "SELECT at, kind, field, new_value FROM events WHERE ticket_id = $1 \
             AND (kind IN ('created', 'replied') OR (kind = 'field_changed' AND field = 'status')) \
             ORDER BY id"
        )
        .bind(ticket_id.get())
        .fetch_all(c)
        .await?);
        Ok(rows.iter().filter_map(HistoryRow::moment).collect())
    }
}
