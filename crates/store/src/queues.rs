//! What the agent console's queue list needs besides ticket pages: how many tickets each queue
//! holds, the groups an agent belongs to, and the newest change on the desk (for live updates).

use sqlx::AssertSqlSafe;

use crate::conn::on;
use crate::{Conn, Result};

/// The tickets a queue counts; every part is ANDed, an empty list or `None` means "any".
#[derive(Debug, Clone, Default)]
pub struct QueueCount {
    pub statuses: Vec<String>,
    /// `Some(None)`: unassigned.
    pub assignee_id: Option<Option<i64>>,
    /// In any of these groups (an empty list counts nothing).
    pub group_ids: Option<Vec<i64>>,
    pub updated_since: Option<i64>,
}

impl Conn<'_> {
    pub async fn count_queue(&mut self, q: &QueueCount) -> Result<i64> {
        if q.group_ids.as_ref().is_some_and(Vec::is_empty) {
            return Ok(0);
        }
        let mut clauses = Vec::new();
        let mut ints: Vec<i64> = Vec::new();
        let mut n = 0;
        let mut mark = || {
            n += 1;
            format!("${n}")
        };
        // Text binds first, then integers, so the marks can be numbered in one pass.
        if !q.statuses.is_empty() {
            let marks: Vec<String> = q.statuses.iter().map(|_| mark()).collect();
            clauses.push(format!("status IN ({})", marks.join(", ")));
        }
        match q.assignee_id {
            Some(Some(id)) => {
                clauses.push(format!("assignee_id = {}", mark()));
                ints.push(id);
            }
            Some(None) => clauses.push("assignee_id IS NULL".to_owned()),
            None => {}
        }
        if let Some(groups) = &q.group_ids {
            let marks: Vec<String> = groups.iter().map(|_| mark()).collect();
            clauses.push(format!("group_id IN ({})", marks.join(", ")));
            ints.extend(groups);
        }
        if let Some(since) = q.updated_since {
            clauses.push(format!("updated_at >= {}", mark()));
            ints.push(since);
        }
        let mut sql = "SELECT COUNT(*) FROM tickets".to_owned();
        if !clauses.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&clauses.join(" AND "));
        }
        Ok(on!(self, |c| {
            let mut query = sqlx::query_scalar(AssertSqlSafe(sql));
            for s in &q.statuses {
                query = query.bind(s.clone());
            }
            for i in &ints {
                query = query.bind(*i);
            }
            query.fetch_one(c).await?
        }))
    }

    /// The ids and names of the groups a person belongs to, by name.
    pub async fn groups_of(&mut self, user_id: i64) -> Result<Vec<(i64, String)>> {
        Ok(on!(self, |c| sqlx::query_as(
            "SELECT g.id, g.name FROM group_members m JOIN agent_groups g ON g.id = m.group_id \
             WHERE m.user_id = $1 ORDER BY g.name"
        )
        .bind(user_id)
        .fetch_all(c)
        .await?))
    }

    /// The highest ticket number and the latest change time: when either moves, a queue on
    /// screen may be out of date.
    pub async fn desk_watermark(&mut self) -> Result<(i64, i64)> {
        let (id, at): (Option<i64>, Option<i64>) = on!(self, |c| sqlx::query_as(
            "SELECT (SELECT MAX(id) FROM tickets), (SELECT MAX(updated_at) FROM tickets)"
        )
        .fetch_one(c)
        .await?);
        Ok((id.unwrap_or(0), at.unwrap_or(0)))
    }
}
