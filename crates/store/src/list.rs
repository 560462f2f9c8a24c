//! Ticket lists: filters, sort orders and keyset pagination.
//!
//! A page continues strictly after the sort key of the last row it returned (the key always
//! ends with the ticket id), so tickets inserted while someone pages through a list never make
//! a page skip or repeat a ticket that existed when they started.

use sqlx::AssertSqlSafe;

use frontline_domain::Status;

use crate::conn::on;
use crate::dialect::status_in;
use crate::patterns::{all_terms, starts_with};
use crate::tickets::{TicketView, VIEW_COLUMNS};
use crate::{Conn, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// Most urgent first (P1 before P4), then oldest first.
    Priority,
    Created,
    Updated,
    /// SLA due soonest first (overdue ones first of all), tickets without a due time last.
    Due,
}

/// What a ticket without an SLA due time sorts as: after every real time.
pub const NO_DUE: i64 = i64::MAX;

/// A ticket's SLA due time for sorting: exactly the expression of the tickets_sla_due index
/// (migration 0004), so both databases read that index in order.
const DUE: &str = "COALESCE(t.sla_due_at, 9223372036854775807)";

impl SortKey {
    fn columns(self) -> &'static [&'static str] {
        match self {
            SortKey::Priority => &["t.priority", "t.created_at", "t.id"],
            SortKey::Created => &["t.created_at", "t.id"],
            SortKey::Updated => &["t.updated_at", "t.id"],
            SortKey::Due => &[DUE, "t.id"],
        }
    }

    /// The cursor values of a row: the sort columns in order.
    pub fn key_of(self, t: &TicketView) -> Vec<i64> {
        let r = &t.row;
        match self {
            SortKey::Priority => vec![r.priority, r.created_at, r.id],
            SortKey::Created => vec![r.created_at, r.id],
            SortKey::Updated => vec![r.updated_at, r.id],
            SortKey::Due => vec![t.sla.due_at.unwrap_or(NO_DUE), r.id],
        }
    }

    pub fn key_len(self) -> usize {
        self.columns().len()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

/// `None` on an optional id filter means "don't filter"; `Some(None)` means "is empty".
#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    pub statuses: Vec<String>,
    pub priorities: Vec<i64>,
    pub types: Vec<String>,
    /// A category and all below it.
    pub category_path: Option<String>,
    pub group_id: Option<Option<i64>>,
    pub assignee_id: Option<Option<i64>>,
    pub requester_id: Option<i64>,
    pub organization_id: Option<i64>,
    pub tag: Option<String>,
    pub updated_since: Option<i64>,
    /// Every term of it in the subject or description, case ignored (see `patterns`).
    pub text: Option<String>,
    /// `(key, normalised value)` pairs that must all match.
    pub custom: Vec<(String, String)>,
    pub sla: Option<SlaFilter>,
    /// Restricts to what a requester may see: their own tickets, the ones they watch, and
    /// their organization's when it shares tickets.
    pub visible_to: Option<(i64, Option<i64>)>,
}

/// Tickets by SLA state (see the ticket's `sla` summary).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaFilter {
    /// A target breached.
    Breached,
    /// Not overdue yet, but due after `after` and at or before `until`.
    DueBetween { after: i64, until: i64 },
}

/// Positional bind values; every filter value is an integer or text.
enum Value {
    Int(i64),
    Text(String),
}

#[derive(Default)]
struct Where {
    clauses: Vec<String>,
    values: Vec<Value>,
}

impl Where {
    fn bind(&mut self, v: Value) -> String {
        self.values.push(v);
        format!("${}", self.values.len())
    }

    fn any_of(&mut self, column: &str, values: Vec<Value>) {
        if values.is_empty() {
            return;
        }
        let marks: Vec<String> = values.into_iter().map(|v| self.bind(v)).collect();
        self.clauses
            .push(format!("{column} IN ({})", marks.join(", ")));
    }

    fn optional_id(&mut self, column: &str, filter: Option<Option<i64>>) {
        match filter {
            Some(Some(id)) => {
                let m = self.bind(Value::Int(id));
                self.clauses.push(format!("{column} = {m}"));
            }
            Some(None) => self.clauses.push(format!("{column} IS NULL")),
            None => {}
        }
    }
}

impl Conn<'_> {
    /// One page of tickets: at most `limit` rows after `after` (a key from [`SortKey::key_of`]).
    pub async fn list_tickets(
        &mut self,
        filter: &TicketFilter,
        sort: Sort,
        after: Option<&[i64]>,
        limit: i64,
    ) -> Result<Vec<TicketView>> {
        let pg = self.is_postgres();
        let mut w = Where::default();
        let f = filter;
        // The agent queue (several statuses, most urgent first) is read as one ordered range
        // of the (status, priority, created_at, id) index per status, merged below; an IN
        // list would make the database read and sort every matching ticket for each page.
        // Sorting by due time reads the (status, due, id) index the same way, every status
        // when none is asked for.
        let statuses: Vec<String> = if sort.key == SortKey::Due && f.statuses.is_empty() {
            Status::ALL.iter().map(|s| s.as_str().to_owned()).collect()
        } else {
            f.statuses.clone()
        };
        let per_status = matches!(sort.key, SortKey::Priority | SortKey::Due) && statuses.len() > 1;
        if !per_status && !f.statuses.is_empty() {
            w.clauses.push(status_in("t.status", &f.statuses));
        }
        w.any_of(
            "t.priority",
            f.priorities.iter().copied().map(Value::Int).collect(),
        );
        w.any_of(
            "t.ticket_type",
            f.types.iter().cloned().map(Value::Text).collect(),
        );
        w.optional_id("t.group_id", f.group_id);
        w.optional_id("t.assignee_id", f.assignee_id);
        if let Some(id) = f.requester_id {
            w.optional_id("t.requester_id", Some(Some(id)));
        }
        if let Some(id) = f.organization_id {
            w.optional_id("t.organization_id", Some(Some(id)));
        }
        if let Some(path) = &f.category_path {
            let exact = w.bind(Value::Text(path.clone()));
            let below = starts_with(pg, "path", &format!("{path}/"), &mut |p| {
                w.bind(Value::Text(p))
            });
            w.clauses.push(format!(
                "t.category_id IN (SELECT id FROM categories WHERE path = {exact} OR {below})"
            ));
        }
        if let Some(tag) = &f.tag {
            let m = w.bind(Value::Text(tag.clone()));
            w.clauses.push(format!(
                "EXISTS (SELECT 1 FROM ticket_tags tt WHERE tt.ticket_id = t.id AND tt.tag = {m})"
            ));
        }
        match f.sla {
            Some(SlaFilter::Breached) => w.clauses.push("t.sla_breached".to_owned()),
            Some(SlaFilter::DueBetween { after, until }) => {
                let a = w.bind(Value::Int(after));
                let u = w.bind(Value::Int(until));
                // As the index's expression, which bounds the range it reads.
                w.clauses.push(format!("{DUE} > {a} AND {DUE} <= {u}"));
            }
            None => {}
        }
        if let Some(since) = f.updated_since {
            let m = w.bind(Value::Int(since));
            w.clauses.push(format!("t.updated_at >= {m}"));
        }
        if let Some(text) = &f.text {
            let columns = ["t.subject", "t.description"];
            if let Some(all) = all_terms(pg, &columns, text, &mut |p| w.bind(Value::Text(p))) {
                w.clauses.push(all);
            }
        }
        for (key, value) in &f.custom {
            let k = w.bind(Value::Text(key.clone()));
            let v = w.bind(Value::Text(value.clone()));
            w.clauses.push(format!(
                "EXISTS (SELECT 1 FROM ticket_field_values fv WHERE fv.ticket_id = t.id \
                 AND fv.field_key = {k} AND fv.value = {v})"
            ));
        }
        if let Some((user, org)) = f.visible_to {
            let u = w.bind(Value::Int(user));
            let watched = format!(
                "EXISTS (SELECT 1 FROM ticket_watchers tw WHERE tw.ticket_id = t.id AND tw.user_id = {u})"
            );
            match org {
                Some(org) => {
                    let o = w.bind(Value::Int(org));
                    w.clauses.push(format!(
                        "(t.requester_id = {u} OR {watched} OR (t.organization_id = {o} AND EXISTS \
                         (SELECT 1 FROM organizations so WHERE so.id = {o} AND so.shared_tickets)))"
                    ));
                }
                None => w
                    .clauses
                    .push(format!("(t.requester_id = {u} OR {watched})")),
            }
        }
        let columns = sort.key.columns();
        if let Some(after) = after {
            let marks: Vec<String> = after.iter().map(|v| w.bind(Value::Int(*v))).collect();
            let op = if sort.descending { "<" } else { ">" };
            if sort.key == SortKey::Due {
                // Spelled out: SQLite bounds an index range by an indexed expression only
                // outside a row value, and a deep page must not scan from the start.
                let (c, m) = (columns[0], &marks[0]);
                w.clauses.push(format!(
                    "{c} {op}= {m} AND ({c} {op} {m} OR ({}) {op} ({}))",
                    columns[1..].join(", "),
                    marks[1..].join(", ")
                ));
            } else {
                w.clauses.push(format!(
                    "({}) {op} ({})",
                    columns.join(", "),
                    marks.join(", ")
                ));
            }
        }
        let direction = if sort.descending { " DESC" } else { "" };
        let order: Vec<String> = columns.iter().map(|c| format!("{c}{direction}")).collect();
        let limit_mark = w.bind(Value::Int(limit));
        let where_sql = if w.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", w.clauses.join(" AND "))
        };
        // The page's ids are picked from the tickets table alone, where an index covers the
        // usual filters and sort keys, and only those rows are joined for display. Joining first
        // would read every matching ticket row before sorting: thousands for a busy queue.
        let order = order.join(", ");
        let ids = if per_status {
            let keys: Vec<String> = (0..columns.len())
                .map(|i| format!("{} AS k{i}", columns[i]))
                .collect();
            let merged: Vec<String> = (0..columns.len())
                .map(|i| format!("k{i}{direction}"))
                .collect();
            let mut branches = Vec::new();
            for (i, status) in statuses.iter().enumerate() {
                let mut clauses = w.clauses.clone();
                clauses.push(status_in("t.status", std::slice::from_ref(status)));
                branches.push(format!(
                    "SELECT * FROM (SELECT t.id, {} FROM tickets t WHERE {} ORDER BY {order} \
                     LIMIT {limit_mark}) AS b{i}",
                    keys.join(", "),
                    clauses.join(" AND ")
                ));
            }
            format!(
                "SELECT id FROM ({}) AS u ORDER BY {} LIMIT {limit_mark}",
                branches.join(" UNION ALL "),
                merged.join(", ")
            )
        } else {
            format!("SELECT t.id FROM tickets t{where_sql} ORDER BY {order} LIMIT {limit_mark}")
        };
        let sql =
            format!("SELECT {VIEW_COLUMNS} FROM tickets t WHERE t.id IN ({ids}) ORDER BY {order}");
        let views = on!(self, |c| {
            let mut q = sqlx::query_as::<_, TicketView>(AssertSqlSafe(sql));
            for v in w.values {
                q = match v {
                    Value::Int(i) => q.bind(i),
                    Value::Text(s) => q.bind(s),
                };
            }
            q.fetch_all(&mut *c).await?
        });
        self.hydrate(views).await
    }
}
