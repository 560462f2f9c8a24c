//! Automation rules in their order, the time scan's candidates, and the firings that make a
//! time rule act once per ticket and period.

use frontline_domain::rules::{Rule, RuleRecord, Since};
use frontline_domain::{GroupId, RuleId, TicketId, Timestamp, UserId};
use sqlx::{AssertSqlSafe, FromRow};

use crate::conn::on;
use crate::sla::definition;
use crate::{Conn, Result, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
struct RuleRow {
    id: i64,
    position: i64,
    definition: String,
    author_id: i64,
    scanned_at: i64,
    scanned_id: i64,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<RuleRow> for RuleRecord {
    type Error = StoreError;

    fn try_from(r: RuleRow) -> Result<Self> {
        Ok(RuleRecord {
            rule: serde_json::from_str(&r.definition)
                .map_err(|e| StoreError::corrupt("rules.definition", e))?,
            id: RuleId::new(r.id),
            position: r.position,
            author_id: UserId::new(r.author_id),
            scanned_at: r.scanned_at,
            scanned_id: TicketId::new(r.scanned_id),
            created_at: Timestamp::from_micros(r.created_at),
            updated_at: Timestamp::from_micros(r.updated_at),
        })
    }
}

/// `trigger_kind` repeats the definition's trigger (for reading the table by hand); the
/// definition is read.
const COLUMNS: &str = "id, position, definition, author_id, scanned_at, scanned_id, \
    created_at, updated_at";

/// The ticket instant a time rule measures from, as SQL exactly as the scan's index names it.
fn expr(since: Since) -> &'static str {
    match since {
        Since::CreatedAt => "created_at",
        Since::UpdatedAt => "updated_at",
        // The last status change; the creation until then (migration 0012).
        Since::StatusChangedAt => "COALESCE(status_changed_at, created_at)",
        Since::RequesterRepliedAt => "COALESCE(requester_replied_at, created_at)",
        Since::AgentRepliedAt => "COALESCE(agent_replied_at, created_at)",
        // None while nothing counts.
        Since::SlaDueAt => "sla_due_at",
    }
}

/// What the scan's query says besides the range: the partial indexes of migration 0012
/// hold only tickets that match it, so it must be written exactly so.
fn only(since: Since) -> &'static str {
    match since {
        Since::SlaDueAt => {
            "status <> 'closed' AND merged_into_id IS NULL AND sla_due_at IS NOT NULL"
        }
        _ => "status <> 'closed' AND merged_into_id IS NULL",
    }
}

/// Clocks to move on one ticket; `None` leaves a clock as it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RuleClocks {
    pub status_changed_at: Option<i64>,
    pub requester_replied_at: Option<i64>,
    pub agent_replied_at: Option<i64>,
}

impl RuleClocks {
    pub fn is_empty(&self) -> bool {
        *self == RuleClocks::default()
    }
}

impl Conn<'_> {
    /// Every rule, in the order they are considered.
    pub async fn rules(&mut self) -> Result<Vec<RuleRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM rules ORDER BY position, id");
        let rows: Vec<RuleRow> = on!(self, |c| sqlx::query_as(AssertSqlSafe(sql.clone()))
            .fetch_all(c)
            .await?);
        rows.into_iter().map(RuleRecord::try_from).collect()
    }

    /// Adds a rule after every existing one; returns its id and position.
    pub async fn insert_rule(
        &mut self,
        rule: &Rule,
        author_id: UserId,
        now: Timestamp,
    ) -> Result<(RuleId, i64)> {
        let definition = definition(rule)?;
        let (id, position): (i64, i64) = on!(self, |c| sqlx::query_as(
            "INSERT INTO rules (position, trigger_kind, definition, author_id, created_at, \
             updated_at) VALUES ((SELECT COALESCE(MAX(position), 0) + 1 FROM rules), $1, $2, $3, \
             $4, $4) RETURNING id, position"
        )
        .bind(rule.trigger.as_str())
        .bind(&definition)
        .bind(author_id.get())
        .bind(now.as_micros())
        .fetch_one(c)
        .await?);
        Ok((RuleId::new(id), position))
    }

    /// Replaces a rule's definition; a time rule's scan starts again. False when there is no
    /// such rule.
    pub async fn update_rule(
        &mut self,
        id: RuleId,
        rule: &Rule,
        author_id: UserId,
        now: Timestamp,
    ) -> Result<bool> {
        let definition = definition(rule)?;
        let done = on!(self, |c| sqlx::query(
            "UPDATE rules SET trigger_kind = $2, definition = $3, author_id = $4, \
             updated_at = $5, scanned_at = 0, scanned_id = 0 WHERE id = $1"
        )
        .bind(id.get())
        .bind(rule.trigger.as_str())
        .bind(&definition)
        .bind(author_id.get())
        .bind(now.as_micros())
        .execute(c)
        .await?
        .rows_affected());
        Ok(done == 1)
    }

    /// Removes a rule and the record of its firings; false when there is no such rule.
    pub async fn delete_rule(&mut self, id: RuleId) -> Result<bool> {
        on!(self, |c| sqlx::query(
            "DELETE FROM rule_firings WHERE rule_id = $1"
        )
        .bind(id.get())
        .execute(c)
        .await
        .map(drop)?);
        let done = on!(self, |c| sqlx::query("DELETE FROM rules WHERE id = $1")
            .bind(id.get())
            .execute(c)
            .await?
            .rows_affected());
        Ok(done == 1)
    }

    pub async fn set_rule_position(&mut self, id: RuleId, position: i64) -> Result<()> {
        on!(self, |c| sqlx::query(
            "UPDATE rules SET position = $2 WHERE id = $1"
        )
        .bind(id.get())
        .bind(position)
        .execute(c)
        .await
        .map(drop)?);
        Ok(())
    }

    /// Open tickets whose instant `since` lies after `(after_at, after_id)` and at or before
    /// `until`, in that order, at most `limit`: one ordered range of the instant's index.
    pub async fn rule_candidates(
        &mut self,
        since: Since,
        after: (i64, TicketId),
        until: i64,
        limit: i64,
    ) -> Result<Vec<(i64, TicketId)>> {
        let sql = rule_candidates_sql(since, limit);
        let rows: Vec<(i64, i64)> = on!(self, |c| sqlx::query_as(AssertSqlSafe(sql.clone()))
            .bind(after.0)
            .bind(after.1.get())
            .bind(until)
            .fetch_all(c)
            .await?);
        Ok(rows
            .into_iter()
            .map(|(at, id)| (at, TicketId::new(id)))
            .collect())
    }

    /// The ticket's instant `since` now (`None` for an SLA due time while nothing counts, or
    /// no such ticket).
    pub async fn rule_instant(&mut self, ticket_id: TicketId, since: Since) -> Result<Option<i64>> {
        let sql = format!("SELECT {} FROM tickets WHERE id = $1", expr(since));
        let found: Option<Option<i64>> =
            on!(self, |c| sqlx::query_scalar(AssertSqlSafe(sql.clone()))
                .bind(ticket_id.get())
                .fetch_optional(c)
                .await?);
        Ok(found.flatten())
    }

    /// Moves the ticket's clocks that `clocks` names.
    pub async fn set_rule_clocks(&mut self, ticket_id: TicketId, clocks: RuleClocks) -> Result<()> {
        if clocks.is_empty() {
            return Ok(());
        }
        on!(self, |c| sqlx::query(
            "UPDATE tickets SET status_changed_at = COALESCE($2, status_changed_at), \
             requester_replied_at = COALESCE($3, requester_replied_at), \
             agent_replied_at = COALESCE($4, agent_replied_at) WHERE id = $1"
        )
        .bind(ticket_id.get())
        .bind(clocks.status_changed_at)
        .bind(clocks.requester_replied_at)
        .bind(clocks.agent_replied_at)
        .execute(c)
        .await
        .map(drop)?);
        Ok(())
    }

    /// The clocks of many tickets at once (`frontline generate`), one statement a chunk.
    pub async fn bulk_rule_clocks(&mut self, rows: &[(TicketId, RuleClocks)]) -> Result<()> {
        // Four binds a row, well inside both databases' limits on parameters. SQLite gets
        // anonymous placeholders (see `creations.rs`); VALUES names its columns column1… on both.
        let numbered = self.is_postgres();
        for chunk in rows.chunks(500) {
            let mut n = 0;
            let mut param = || {
                n += 1;
                if numbered {
                    format!("CAST(${n} AS BIGINT)")
                } else {
                    "?".to_owned()
                }
            };
            let values: Vec<String> = chunk
                .iter()
                .map(|_| format!("({}, {}, {}, {})", param(), param(), param(), param()))
                .collect();
            let sql = format!(
                "UPDATE tickets SET status_changed_at = v.column2, \
                 requester_replied_at = v.column3, agent_replied_at = v.column4 \
                 FROM (VALUES {}) AS v WHERE tickets.id = v.column1",
                values.join(", ")
            );
            on!(self, |c| {
                let mut q = sqlx::query(AssertSqlSafe(sql.clone()));
                for (id, k) in chunk {
                    q = q
                        .bind((*id).get())
                        .bind(k.status_changed_at)
                        .bind(k.requester_replied_at)
                        .bind(k.agent_replied_at);
                }
                q.execute(c).await.map(drop)?
            });
        }
        Ok(())
    }

    /// Where a time rule's scan has got to.
    pub async fn set_rule_scanned(
        &mut self,
        id: RuleId,
        at: i64,
        ticket_id: TicketId,
    ) -> Result<()> {
        on!(self, |c| sqlx::query(
            "UPDATE rules SET scanned_at = $2, scanned_id = $3 WHERE id = $1 \
             AND (scanned_at, scanned_id) < ($2, $3)"
        )
        .bind(id.get())
        .bind(at)
        .bind(ticket_id.get())
        .execute(c)
        .await
        .map(drop)?);
        Ok(())
    }

    /// Records that a time rule fired on a ticket for a period; false when it had already.
    pub async fn insert_rule_firing(
        &mut self,
        rule_id: RuleId,
        ticket_id: TicketId,
        period: i64,
        now: i64,
    ) -> Result<bool> {
        let done = on!(self, |c| sqlx::query(
            "INSERT INTO rule_firings (rule_id, ticket_id, period, fired_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING"
        )
        .bind(rule_id.get())
        .bind(ticket_id.get())
        .bind(period)
        .bind(now)
        .execute(c)
        .await?
        .rows_affected());
        Ok(done == 1)
    }

    /// Rule actions recorded on a ticket since `since`: the per-ticket loop guard.
    pub async fn rule_events_since(&mut self, ticket_id: TicketId, since: i64) -> Result<i64> {
        Ok(on!(self, |c| sqlx::query_scalar(
            "SELECT COUNT(*) FROM events WHERE ticket_id = $1 AND kind = 'rule_applied' \
             AND at >= $2"
        )
        .bind(ticket_id.get())
        .bind(since)
        .fetch_one(c)
        .await?))
    }

    /// Ids of a group's members: recipients of a rule's notification.
    pub async fn group_member_ids(&mut self, group_id: GroupId) -> Result<Vec<UserId>> {
        Ok(on!(self, |c| sqlx::query_scalar(
            "SELECT user_id FROM group_members WHERE group_id = $1 ORDER BY user_id"
        )
        .bind(group_id.get())
        .fetch_all(c)
        .await?)
        .into_iter()
        .map(UserId::new)
        .collect())
    }

    /// Ids of the desk's active managers.
    pub async fn manager_ids(&mut self) -> Result<Vec<UserId>> {
        Ok(on!(self, |c| sqlx::query_scalar(
            "SELECT id FROM users WHERE role = 'manager' AND active ORDER BY id"
        )
        .fetch_all(c)
        .await?)
        .into_iter()
        .map(UserId::new)
        .collect())
    }
}

/// The scan's query for `since`, at most `limit` rows, also for tests that read its plan.
/// The limit is written into the SQL (see [`crate::dialect::limit`]).
pub fn rule_candidates_sql(since: Since, limit: i64) -> String {
    let (e, only) = (expr(since), only(since));
    let limit = crate::dialect::limit(limit);
    format!(
        "SELECT {e}, id FROM tickets WHERE ({e}, id) > ($1, $2) AND {e} <= $3 AND {only} \
         ORDER BY {e}, id {limit}"
    )
}
