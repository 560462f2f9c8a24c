//! Saved views: an agent's named queue with filters and sort, private or shared with a group
//! or the whole desk, and how many tickets one holds (counted up to a cap, so a broad view
//! costs no more than a bounded index range).

use frontline_domain::{
    Email, GroupId, Priority, Status, Timestamp, UserId, ViewId, ViewRecord, ViewVisibility,
};
use sqlx::{AssertSqlSafe, FromRow};

use crate::conn::on;
use crate::dialect::status_in;
use crate::patterns::{all_terms, starts_with};
use crate::{Conn, Result, StoreError};
use frontline_domain::ticket_list::SlaFilter;

/// A `saved_views` row with its owner's email and group's name; read out as a [`ViewRecord`].
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub(crate) struct ViewRow {
    id: i64,
    owner_id: i64,
    owner_email: String,
    name: String,
    visibility: String,
    shared_group_id: Option<i64>,
    shared_group: Option<String>,
    filters: String,
    sort: String,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<ViewRow> for ViewRecord {
    type Error = StoreError;

    fn try_from(r: ViewRow) -> Result<Self> {
        Ok(ViewRecord {
            id: ViewId::new(r.id),
            owner_id: UserId::new(r.owner_id),
            owner_email: Email::from_parsed(r.owner_email),
            name: r.name,
            visibility: ViewVisibility::parse(&r.visibility)
                .map_err(|e| StoreError::corrupt("saved_views.visibility", e))?,
            shared_group_id: r.shared_group_id.map(GroupId::new),
            shared_group: r.shared_group,
            filters: r.filters,
            sort: r.sort,
            created_at: Timestamp::from_micros(r.created_at),
            updated_at: Timestamp::from_micros(r.updated_at),
        })
    }
}

/// What a new or changed view holds.
#[derive(Debug, Clone)]
pub struct ViewValues<'a> {
    pub name: &'a str,
    pub visibility: ViewVisibility,
    pub shared_group_id: Option<GroupId>,
    pub filters: &'a str,
    pub sort: &'a str,
}

const SELECT: &str = "SELECT v.id, v.owner_id, u.email AS owner_email, v.name, v.visibility, \
    v.shared_group_id, g.name AS shared_group, v.filters, v.sort, v.created_at, v.updated_at \
    FROM saved_views v JOIN users u ON u.id = v.owner_id \
    LEFT JOIN agent_groups g ON g.id = v.shared_group_id";

/// The tickets a view counts; every part is ANDed, empty or `None` means "any".
#[derive(Debug, Clone, Default)]
pub struct ViewCount {
    pub statuses: Vec<Status>,
    pub priorities: Vec<Priority>,
    /// `Some(None)`: unassigned.
    pub assignee_id: Option<Option<UserId>>,
    /// In any of these groups (an empty list counts nothing).
    pub group_ids: Option<Vec<GroupId>>,
    /// A category and everything below it.
    pub category_path: Option<String>,
    pub updated_since: Option<i64>,
    /// Words in the subject or description.
    pub text: Option<String>,
    pub sla: Option<SlaFilter>,
}

enum Value {
    Int(i64),
    Text(String),
}

impl Conn<'_> {
    /// The views a person sees: their own, those shared with a group they belong to, and
    /// those shared with everyone; by name.
    pub async fn views_for(&mut self, user_id: UserId) -> Result<Vec<ViewRecord>> {
        let sql = format!(
            "{SELECT} WHERE v.owner_id = $1 OR v.visibility = 'everyone' OR \
             (v.visibility = 'group' AND v.shared_group_id IN \
             (SELECT group_id FROM group_members WHERE user_id = $1)) ORDER BY v.name, v.id"
        );
        let rows: Vec<ViewRow> = on!(self, |c| sqlx::query_as(AssertSqlSafe(sql.clone()))
            .bind(user_id.get())
            .fetch_all(c)
            .await?);
        rows.into_iter().map(ViewRecord::try_from).collect()
    }

    pub async fn view_by_id(&mut self, id: ViewId) -> Result<Option<ViewRecord>> {
        let sql = format!("{SELECT} WHERE v.id = $1");
        let row: Option<ViewRow> = on!(self, |c| sqlx::query_as(AssertSqlSafe(sql.clone()))
            .bind(id.get())
            .fetch_optional(c)
            .await?);
        row.map(ViewRecord::try_from).transpose()
    }

    /// A new view; its id. A name the owner already uses is a `Duplicate`.
    pub async fn insert_view(
        &mut self,
        owner_id: UserId,
        v: &ViewValues<'_>,
        now: i64,
    ) -> Result<ViewId> {
        let id: i64 = on!(self, |c| {
            sqlx::query_scalar(
            "INSERT INTO saved_views (owner_id, name, visibility, shared_group_id, filters, sort, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id"
        )
        .bind(owner_id.get())
        .bind(v.name)
        .bind(v.visibility.as_str())
        .bind(v.shared_group_id.map(GroupId::get))
        .bind(v.filters)
        .bind(v.sort)
        .bind(now)
        .fetch_one(c)
        .await?
        });
        Ok(ViewId::new(id))
    }

    /// Replaces what a view holds; false when there is no such view.
    pub async fn update_view(&mut self, id: ViewId, v: &ViewValues<'_>, now: i64) -> Result<bool> {
        let done = on!(self, |c| sqlx::query(
            "UPDATE saved_views SET name = $2, visibility = $3, shared_group_id = $4, \
             filters = $5, sort = $6, updated_at = $7 WHERE id = $1"
        )
        .bind(id.get())
        .bind(v.name)
        .bind(v.visibility.as_str())
        .bind(v.shared_group_id.map(GroupId::get))
        .bind(v.filters)
        .bind(v.sort)
        .bind(now)
        .execute(c)
        .await?
        .rows_affected());
        Ok(done == 1)
    }

    pub async fn delete_view(&mut self, id: ViewId) -> Result<bool> {
        let done = on!(self, |c| sqlx::query(
            "DELETE FROM saved_views WHERE id = $1"
        )
        .bind(id.get())
        .execute(c)
        .await?
        .rows_affected());
        Ok(done == 1)
    }

    /// How many tickets match, counting no further than `cap`: the database stops reading
    /// once it has found that many, so a broad view's count costs a bounded range.
    pub async fn count_view(&mut self, q: &ViewCount, cap: i64) -> Result<i64> {
        Ok(self
            .count_many(&[(q.clone(), cap)])
            .await?
            .first()
            .copied()
            .unwrap_or(0))
    }

    /// Several counts, each up to its cap, in one statement (one round trip for a page's
    /// worth of queue and view counts); in the order given.
    pub async fn count_many(&mut self, counts: &[(ViewCount, i64)]) -> Result<Vec<i64>> {
        if counts.is_empty() {
            return Ok(Vec::new());
        }
        let pg = self.is_postgres();
        let mut values = Vec::new();
        let selects: Vec<String> = counts
            .iter()
            .enumerate()
            .map(|(k, (q, cap))| {
                format!(
                    "SELECT CAST({k} AS BIGINT), {}",
                    counted(q, *cap, pg, &mut values)
                )
            })
            .collect();
        let sql = selects.join(" UNION ALL ");
        let rows: Vec<(i64, i64)> = on!(self, |c| {
            let mut query = sqlx::query_as(AssertSqlSafe(sql.clone()));
            for v in &values {
                query = match v {
                    Value::Int(i) => query.bind(*i),
                    Value::Text(s) => query.bind(s.clone()),
                };
            }
            query.fetch_all(c).await?
        });
        let mut out = vec![0; counts.len()];
        for (k, n) in rows {
            if let Some(slot) = usize::try_from(k).ok().and_then(|k| out.get_mut(k)) {
                *slot = n;
            }
        }
        Ok(out)
    }
}

fn bind(values: &mut Vec<Value>, v: Value) -> String {
    values.push(v);
    format!("${}", values.len())
}

/// `q` as a scalar subquery counting up to `cap`, its values appended to `values`.
fn counted(q: &ViewCount, cap: i64, pg: bool, values: &mut Vec<Value>) -> String {
    if q.group_ids.as_ref().is_some_and(Vec::is_empty) {
        return "CAST(0 AS BIGINT)".to_owned();
    }
    let mut clauses = Vec::new();
    if !q.statuses.is_empty() {
        clauses.push(status_in("status", &q.statuses));
    }
    if !q.priorities.is_empty() {
        let marks: Vec<String> = q
            .priorities
            .iter()
            .map(|p| bind(values, Value::Int(p.rank())))
            .collect();
        clauses.push(format!("priority IN ({})", marks.join(", ")));
    }
    match q.assignee_id {
        Some(Some(id)) => {
            let m = bind(values, Value::Int(id.get()));
            clauses.push(format!("assignee_id = {m}"));
        }
        Some(None) => clauses.push("assignee_id IS NULL".to_owned()),
        None => {}
    }
    if let Some(groups) = &q.group_ids {
        let marks: Vec<String> = groups
            .iter()
            .map(|g| bind(values, Value::Int(g.get())))
            .collect();
        clauses.push(format!("group_id IN ({})", marks.join(", ")));
    }
    if let Some(path) = &q.category_path {
        let exact = bind(values, Value::Text(path.clone()));
        let below = starts_with(pg, "path", &format!("{path}/"), &mut |p| {
            bind(values, Value::Text(p))
        });
        clauses.push(format!(
            "category_id IN (SELECT id FROM categories WHERE path = {exact} OR {below})"
        ));
    }
    if let Some(since) = q.updated_since {
        let m = bind(values, Value::Int(since));
        clauses.push(format!("updated_at >= {m}"));
    }
    if let Some(text) = &q.text {
        let columns = ["subject", "description"];
        if let Some(all) = all_terms(pg, &columns, text, &mut |p| bind(values, Value::Text(p))) {
            clauses.push(all);
        }
    }
    if let Some(sla) = q.sla {
        clauses.push(crate::dialect::sla_clause("", sla, |v| {
            bind(values, Value::Int(v))
        }));
    }
    let cap = crate::dialect::limit_bound(pg, cap, |n| bind(values, Value::Int(n)));
    let where_sql = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    format!("(SELECT COUNT(*) FROM (SELECT 1 AS one FROM tickets{where_sql} {cap}) AS c)")
}
