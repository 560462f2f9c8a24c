//! Ticket rows: insert, read with their names joined in, save with a version check, and the
//! tag, watcher and custom-field rows that hang off a ticket.

use std::collections::HashMap;

use frontline_domain::{
    CategoryId, Channel, Email, GroupId, Level, OrganizationId, Priority, Status, Ticket, TicketId,
    TicketRecord, TicketType, Timestamp, Timestamps, UserId,
};
use serde_json::{Map, Value};
use sqlx::{AssertSqlSafe, FromRow};

use crate::conn::on;
use crate::{Conn, Result, StoreError};

/// The columns of `tickets` that the core writes, as stored.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub(crate) struct TicketRow {
    pub id: i64,
    pub subject: String,
    pub description: String,
    pub status: String,
    pub ticket_type: String,
    pub impact: String,
    pub urgency: String,
    pub priority: i64,
    pub priority_overridden: bool,
    pub category_id: Option<i64>,
    pub requester_id: i64,
    pub organization_id: Option<i64>,
    pub group_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub channel: String,
    pub custom_fields: String,
    pub merged_into_id: Option<i64>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub closed_at: Option<i64>,
}

/// A ticket as people read it, as stored: the row plus the names its ids point to.
#[derive(Debug, Clone, FromRow)]
pub(crate) struct TicketViewRow {
    #[sqlx(flatten)]
    pub row: TicketRow,
    pub requester_email: String,
    pub requester_name: String,
    pub organization_name: Option<String>,
    pub group_name: Option<String>,
    pub assignee_email: Option<String>,
    pub assignee_name: Option<String>,
    pub category_path: Option<String>,
    /// The SLA summary as stored when the view was read.
    #[sqlx(flatten)]
    pub sla: crate::sla::SlaSummary,
}

impl TryFrom<TicketRow> for TicketRecord {
    type Error = StoreError;

    fn try_from(r: TicketRow) -> Result<Self> {
        let custom_fields: Map<String, Value> = serde_json::from_str(&r.custom_fields)
            .map_err(|e| StoreError::corrupt("tickets.custom_fields", e))?;
        Ok(TicketRecord {
            id: TicketId::new(r.id),
            subject: r.subject,
            description: r.description,
            status: Status::parse("status", &r.status)
                .map_err(|e| StoreError::corrupt("tickets.status", e))?,
            ticket_type: TicketType::parse("type", &r.ticket_type)
                .map_err(|e| StoreError::corrupt("tickets.ticket_type", e))?,
            impact: Level::parse("impact", &r.impact)
                .map_err(|e| StoreError::corrupt("tickets.impact", e))?,
            urgency: Level::parse("urgency", &r.urgency)
                .map_err(|e| StoreError::corrupt("tickets.urgency", e))?,
            priority: Priority::from_rank(r.priority)
                .map_err(|e| StoreError::corrupt("tickets.priority", e))?,
            priority_overridden: r.priority_overridden,
            category_id: r.category_id.map(CategoryId::new),
            requester_id: UserId::new(r.requester_id),
            organization_id: r.organization_id.map(OrganizationId::new),
            group_id: r.group_id.map(GroupId::new),
            assignee_id: r.assignee_id.map(UserId::new),
            channel: Channel::parse("channel", &r.channel)
                .map_err(|e| StoreError::corrupt("tickets.channel", e))?,
            custom_fields,
            merged_into_id: r.merged_into_id.map(TicketId::new),
            version: r.version,
            times: Timestamps {
                created_at: Timestamp::from_micros(r.created_at),
                updated_at: Timestamp::from_micros(r.updated_at),
                first_response_at: r.first_response_at.map(Timestamp::from_micros),
                resolved_at: r.resolved_at.map(Timestamp::from_micros),
                closed_at: r.closed_at.map(Timestamp::from_micros),
            },
        })
    }
}

impl From<&TicketRecord> for TicketRow {
    fn from(t: &TicketRecord) -> Self {
        TicketRow {
            id: t.id.get(),
            subject: t.subject.clone(),
            description: t.description.clone(),
            status: t.status.as_str().to_owned(),
            ticket_type: t.ticket_type.as_str().to_owned(),
            impact: t.impact.as_str().to_owned(),
            urgency: t.urgency.as_str().to_owned(),
            priority: t.priority.rank(),
            priority_overridden: t.priority_overridden,
            category_id: t.category_id.map(CategoryId::get),
            requester_id: t.requester_id.get(),
            organization_id: t.organization_id.map(OrganizationId::get),
            group_id: t.group_id.map(GroupId::get),
            assignee_id: t.assignee_id.map(UserId::get),
            channel: t.channel.as_str().to_owned(),
            custom_fields: t.custom_fields_json(),
            merged_into_id: t.merged_into_id.map(TicketId::get),
            version: t.version,
            created_at: t.times.created_at.as_micros(),
            updated_at: t.times.updated_at.as_micros(),
            first_response_at: t.times.first_response_at.map(Timestamp::as_micros),
            resolved_at: t.times.resolved_at.map(Timestamp::as_micros),
            closed_at: t.times.closed_at.map(Timestamp::as_micros),
        }
    }
}

/// Tags and watchers are left empty: [`Conn::hydrate`] fills them for a page at once.
impl TryFrom<TicketViewRow> for Ticket {
    type Error = StoreError;

    fn try_from(v: TicketViewRow) -> Result<Self> {
        Ok(Ticket {
            record: v.row.try_into()?,
            requester_email: Email::from_parsed(v.requester_email),
            requester_name: v.requester_name,
            organization_name: v.organization_name,
            group_name: v.group_name,
            assignee_email: v.assignee_email.map(Email::from_parsed),
            assignee_name: v.assignee_name,
            category_path: v.category_path,
            sla: v.sla.into(),
            tags: Vec::new(),
            watchers: Vec::new(),
        })
    }
}

/// A ticket as shown, read `FROM tickets t`. The names come from scalar subqueries rather
/// than joins: PostgreSQL plans a statement with bound values again on every execution, and a
/// six-table join took it about 2.7 ms to plan (six times its run time at 1M tickets), where
/// these take 0.3 ms. Every ticket has a requester (a foreign key), so that one is never NULL.
pub(crate) const VIEW_COLUMNS: &str = "t.id, t.subject, t.description, t.status, t.ticket_type, \
    t.impact, t.urgency, t.priority, t.priority_overridden, t.category_id, t.requester_id, \
    t.organization_id, t.group_id, t.assignee_id, t.channel, t.custom_fields, t.merged_into_id, \
    t.version, t.created_at, t.updated_at, t.first_response_at, t.resolved_at, t.closed_at, \
    (SELECT r.email FROM users r WHERE r.id = t.requester_id) AS requester_email, \
    (SELECT r.name FROM users r WHERE r.id = t.requester_id) AS requester_name, \
    (SELECT o.name FROM organizations o WHERE o.id = t.organization_id) AS organization_name, \
    (SELECT g.name FROM agent_groups g WHERE g.id = t.group_id) AS group_name, \
    (SELECT a.email FROM users a WHERE a.id = t.assignee_id) AS assignee_email, \
    (SELECT a.name FROM users a WHERE a.id = t.assignee_id) AS assignee_name, \
    (SELECT c.path FROM categories c WHERE c.id = t.category_id) AS category_path, \
    t.sla_due_at, t.sla_breached";

impl Conn<'_> {
    /// Inserts a ticket and returns its number. `ticket.id` is ignored.
    pub async fn insert_ticket(&mut self, ticket: &TicketRecord) -> Result<TicketId> {
        let row = TicketRow::from(ticket);
        const SQL: &str = "INSERT INTO tickets (subject, description, status, ticket_type, impact, \
            urgency, priority, priority_overridden, category_id, requester_id, organization_id, \
            group_id, assignee_id, channel, custom_fields, merged_into_id, version, created_at, \
            updated_at, first_response_at, resolved_at, closed_at) VALUES ($1, $2, $3, $4, $5, \
            $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22) \
            RETURNING id";
        let id = on!(self, |c| sqlx::query_scalar(SQL)
            .bind(&row.subject)
            .bind(&row.description)
            .bind(&row.status)
            .bind(&row.ticket_type)
            .bind(&row.impact)
            .bind(&row.urgency)
            .bind(row.priority)
            .bind(row.priority_overridden)
            .bind(row.category_id)
            .bind(row.requester_id)
            .bind(row.organization_id)
            .bind(row.group_id)
            .bind(row.assignee_id)
            .bind(&row.channel)
            .bind(&row.custom_fields)
            .bind(row.merged_into_id)
            .bind(row.version)
            .bind(row.created_at)
            .bind(row.updated_at)
            .bind(row.first_response_at)
            .bind(row.resolved_at)
            .bind(row.closed_at)
            .fetch_one(c)
            .await?);
        Ok(TicketId::new(id))
    }

    /// Writes every mutable column of `ticket` if the stored version is still `expected`, and
    /// sets the stored version to `ticket.version`. [`StoreError::Stale`] otherwise.
    pub async fn save_ticket(&mut self, ticket: &TicketRecord, expected: i64) -> Result<()> {
        let row = TicketRow::from(ticket);
        const SQL: &str = "UPDATE tickets SET subject = $1, description = $2, status = $3, \
            ticket_type = $4, impact = $5, urgency = $6, priority = $7, priority_overridden = $8, \
            category_id = $9, requester_id = $10, organization_id = $11, group_id = $12, \
            assignee_id = $13, custom_fields = $14, merged_into_id = $15, version = $16, \
            updated_at = $17, first_response_at = $18, resolved_at = $19, closed_at = $20 \
            WHERE id = $21 AND version = $22";
        let done = on!(self, |c| sqlx::query(SQL)
            .bind(&row.subject)
            .bind(&row.description)
            .bind(&row.status)
            .bind(&row.ticket_type)
            .bind(&row.impact)
            .bind(&row.urgency)
            .bind(row.priority)
            .bind(row.priority_overridden)
            .bind(row.category_id)
            .bind(row.requester_id)
            .bind(row.organization_id)
            .bind(row.group_id)
            .bind(row.assignee_id)
            .bind(&row.custom_fields)
            .bind(row.merged_into_id)
            .bind(row.version)
            .bind(row.updated_at)
            .bind(row.first_response_at)
            .bind(row.resolved_at)
            .bind(row.closed_at)
            .bind(row.id)
            .bind(expected)
            .execute(c)
            .await?
            .rows_affected());
        if done == 1 {
            Ok(())
        } else {
            Err(StoreError::Stale)
        }
    }

    /// The ticket's own fields, locked for update inside a transaction on PostgreSQL.
    pub async fn ticket_for_update(&mut self, id: TicketId) -> Result<Option<TicketRecord>> {
        let lock = self.for_update();
        self.ticket_row_with(id, lock).await
    }

    /// The ticket's own fields, for reading only.
    pub async fn ticket_row(&mut self, id: TicketId) -> Result<Option<TicketRecord>> {
        self.ticket_row_with(id, "").await
    }

    async fn ticket_row_with(&mut self, id: TicketId, lock: &str) -> Result<Option<TicketRecord>> {
        let sql = format!(
            "SELECT id, subject, description, status, ticket_type, impact, urgency, priority, \
             priority_overridden, category_id, requester_id, organization_id, group_id, \
             assignee_id, channel, custom_fields, merged_into_id, version, created_at, \
             updated_at, first_response_at, resolved_at, closed_at FROM tickets WHERE id = $1{lock}"
        );
        let row = on!(self, |c| sqlx::query_as::<_, TicketRow>(AssertSqlSafe(sql))
            .bind(id.get())
            .fetch_optional(c)
            .await?);
        row.map(TicketRecord::try_from).transpose()
    }

    /// One ticket with names, tags and watchers.
    pub async fn ticket_view(&mut self, id: TicketId) -> Result<Option<Ticket>> {
        match self.ticket_view_bare(id).await? {
            Some(v) => Ok(self.hydrate(vec![v]).await?.pop()),
            None => Ok(None),
        }
    }

    /// [`Conn::ticket_view`] without its tags and watchers (left empty): one query, for
    /// work that reads only the ticket's fields and the names they point at.
    pub async fn ticket_view_bare(&mut self, id: TicketId) -> Result<Option<Ticket>> {
        let sql = format!("SELECT {VIEW_COLUMNS} FROM tickets t WHERE t.id = $1");
        let row = on!(self, |c| sqlx::query_as::<_, TicketViewRow>(AssertSqlSafe(
            sql
        ))
        .bind(id.get())
        .fetch_optional(c)
        .await?);
        row.map(Ticket::try_from).transpose()
    }

    /// Fills in tags and watchers for a page of tickets, two queries for the whole page.
    pub(crate) async fn hydrate(&mut self, mut views: Vec<Ticket>) -> Result<Vec<Ticket>> {
        if views.is_empty() {
            return Ok(views);
        }
        let ids: Vec<String> = views.iter().map(|v| v.record.id.to_string()).collect();
        let ids = ids.join(",");
        let tag_sql = format!(
            "SELECT ticket_id, tag FROM ticket_tags WHERE ticket_id IN ({ids}) ORDER BY tag"
        );
        let watcher_sql = format!(
            "SELECT w.ticket_id, u.email FROM ticket_watchers w JOIN users u ON u.id = w.user_id \
             WHERE w.ticket_id IN ({ids}) ORDER BY u.email"
        );
        let tags: Vec<(i64, String)> = on!(self, |c| sqlx::query_as(AssertSqlSafe(tag_sql))
            .fetch_all(&mut *c)
            .await?);
        let watchers: Vec<(i64, String)> =
            on!(self, |c| sqlx::query_as(AssertSqlSafe(watcher_sql))
                .fetch_all(&mut *c)
                .await?);
        let mut by_id: HashMap<i64, &mut Ticket> =
            views.iter_mut().map(|v| (v.record.id.get(), v)).collect();
        for (id, tag) in tags {
            if let Some(v) = by_id.get_mut(&id) {
                v.tags.push(tag);
            }
        }
        for (id, email) in watchers {
            if let Some(v) = by_id.get_mut(&id) {
                v.watchers.push(Email::from_parsed(email));
            }
        }
        Ok(views)
    }

    pub async fn set_tags(&mut self, ticket_id: TicketId, tags: &[String]) -> Result<()> {
        on!(self, |c| sqlx::query(
            "DELETE FROM ticket_tags WHERE ticket_id = $1"
        )
        .bind(ticket_id.get())
        .execute(&mut *c)
        .await?
        .rows_affected());
        for tag in tags {
            on!(self, |c| sqlx::query(
                "INSERT INTO ticket_tags (ticket_id, tag) VALUES ($1, $2) ON CONFLICT DO NOTHING"
            )
            .bind(ticket_id.get())
            .bind(tag)
            .execute(&mut *c)
            .await?
            .rows_affected());
        }
        Ok(())
    }

    pub async fn tags(&mut self, ticket_id: TicketId) -> Result<Vec<String>> {
        Ok(on!(self, |c| sqlx::query_scalar(
            "SELECT tag FROM ticket_tags WHERE ticket_id = $1 ORDER BY tag"
        )
        .bind(ticket_id.get())
        .fetch_all(c)
        .await?))
    }

    pub async fn watcher_ids(&mut self, ticket_id: TicketId) -> Result<Vec<UserId>> {
        Ok(on!(self, |c| sqlx::query_scalar(
            "SELECT user_id FROM ticket_watchers WHERE ticket_id = $1 ORDER BY user_id"
        )
        .bind(ticket_id.get())
        .fetch_all(c)
        .await?)
        .into_iter()
        .map(UserId::new)
        .collect())
    }

    pub async fn add_watcher(&mut self, ticket_id: TicketId, user_id: UserId) -> Result<()> {
        on!(self, |c| {
            sqlx::query(
            "INSERT INTO ticket_watchers (ticket_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
        )
        .bind(ticket_id.get())
        .bind(user_id.get())
        .execute(c)
        .await?
        .rows_affected()
        });
        Ok(())
    }

    pub async fn remove_watcher(&mut self, ticket_id: TicketId, user_id: UserId) -> Result<()> {
        on!(self, |c| sqlx::query(
            "DELETE FROM ticket_watchers WHERE ticket_id = $1 AND user_id = $2"
        )
        .bind(ticket_id.get())
        .bind(user_id.get())
        .execute(c)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Replaces the indexed values of a ticket's custom fields (what `cf.<key>` filters use).
    pub async fn set_field_values(
        &mut self,
        ticket_id: TicketId,
        values: &[(String, String)],
    ) -> Result<()> {
        on!(self, |c| sqlx::query(
            "DELETE FROM ticket_field_values WHERE ticket_id = $1"
        )
        .bind(ticket_id.get())
        .execute(&mut *c)
        .await?
        .rows_affected());
        for (key, value) in values {
            on!(self, |c| sqlx::query(
                "INSERT INTO ticket_field_values (ticket_id, field_key, value) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING"
            )
            .bind(ticket_id.get())
            .bind(key)
            .bind(value)
            .execute(&mut *c)
            .await?
            .rows_affected());
        }
        Ok(())
    }

    /// Whether a ticket with this number exists.
    pub async fn ticket_exists(&mut self, id: TicketId) -> Result<bool> {
        let n: i64 = on!(self, |c| sqlx::query_scalar(
            "SELECT COUNT(*) FROM tickets WHERE id = $1"
        )
        .bind(id.get())
        .fetch_one(c)
        .await?);
        Ok(n > 0)
    }
}
