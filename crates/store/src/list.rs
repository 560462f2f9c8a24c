//! Ticket lists: filters, sort orders and keyset pagination.
//!
//! A page continues strictly after the sort key of the last row it returned (the key always
//! ends with the ticket id), so tickets inserted while someone pages through a list never make
//! a page skip or repeat a ticket that existed when they started.

use sqlx::AssertSqlSafe;

use frontline_domain::ticket_list::SlaFilter;
use frontline_domain::{
    GroupId, OrganizationId, Sort, SortKey, Status, Ticket, TicketFilter, UserId,
};

use crate::conn::on;
use crate::dialect::status_in;
use crate::patterns::{all_terms_in, starts_with};
use crate::tickets::{TicketViewRow, VIEW_COLUMNS};
use crate::{Conn, Result};

/// A ticket's SLA due time for sorting: exactly the expression of the tickets_sla_due index
/// (migration 0004), so both databases read that index in order. NULL sorts as
/// `frontline_domain::ticket_list::NO_DUE`.
const DUE: &str = "COALESCE(t.sla_due_at, 9223372036854775807)";

/// The columns of a sort order, in the order of [`SortKey::key_of`]'s values.
fn columns(key: SortKey) -> &'static [&'static str] {
    match key {
        SortKey::Priority => &["t.priority", "t.created_at", "t.id"],
        SortKey::Created => &["t.created_at", "t.id"],
        SortKey::Updated => &["t.updated_at", "t.id"],
        SortKey::Due => &[DUE, "t.id"],
    }
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
    ) -> Result<Vec<Ticket>> {
        let pg = self.is_postgres();
        let mut w = Where::default();
        // A queue of several statuses is read as one ordered range of a (status, sort key…)
        // index per status, merged below: (status, priority, created_at, id) for the agent
        // queue, and on PostgreSQL (status, updated_at, id) and (status, created_at, id) for
        // time orders (the solved queue); an IN list would make the database read and sort
        // every matching ticket for each page. Sorting by due time reads the (status, due, id)
        // index the same way, every status when none is asked for. SQLite reads time orders
        // along tickets_updated or tickets_created (migration 0018 says why).
        let statuses: Vec<Status> = if sort.key == SortKey::Due && filter.statuses.is_empty() {
            Status::ALL.to_vec()
        } else {
            filter.statuses.clone()
        };
        let time_order = matches!(sort.key, SortKey::Created | SortKey::Updated);
        let per_status = statuses.len() > 1 && (pg || !time_order);
        if !per_status && !filter.statuses.is_empty() {
            // SQLite walks the time order's own index and checks each status (`+` keeps it
            // from picking a status index, which would read and sort every match).
            let column = if time_order && !pg {
                "+t.status"
            } else {
                "t.status"
            };
            w.clauses.push(status_in(column, &statuses));
        }
        w.filter_fields(pg, filter);
        w.filter_sla(filter.sla);
        w.filter_visible(filter.visible_to);
        w.continue_after(sort, after);
        let ids = w.page_ids(pg, sort, per_status.then_some(&statuses[..]), limit);
        let order = order_by(sort);
        let sql =
            format!("SELECT {VIEW_COLUMNS} FROM tickets t WHERE t.id IN ({ids}) ORDER BY {order}");
        let rows = on!(self, |c| {
            let mut q = sqlx::query_as::<_, TicketViewRow>(AssertSqlSafe(sql));
            for v in w.values {
                q = match v {
                    Value::Int(i) => q.bind(i),
                    Value::Text(s) => q.bind(s),
                };
            }
            q.fetch_all(&mut *c).await?
        });
        let tickets = rows
            .into_iter()
            .map(Ticket::try_from)
            .collect::<Result<_>>()?;
        self.hydrate(tickets).await
    }
}

/// `ORDER BY` of a sort order, without the keyword.
fn order_by(sort: Sort) -> String {
    let direction = if sort.descending { " DESC" } else { "" };
    let order: Vec<String> = columns(sort.key)
        .iter()
        .map(|c| format!("{c}{direction}"))
        .collect();
    order.join(", ")
}

impl Where {
    /// The filters on the ticket's own fields, tags and custom field values.
    fn filter_fields(&mut self, pg: bool, f: &TicketFilter) {
        self.any_of(
            "t.priority",
            f.priorities.iter().map(|p| Value::Int(p.rank())).collect(),
        );
        self.any_of(
            "t.ticket_type",
            f.types
                .iter()
                .map(|t| Value::Text(t.as_str().to_owned()))
                .collect(),
        );
        self.optional_id("t.group_id", f.group_id.map(|g| g.map(GroupId::get)));
        self.optional_id("t.assignee_id", f.assignee_id.map(|a| a.map(UserId::get)));
        if let Some(id) = f.requester_id {
            self.optional_id("t.requester_id", Some(Some(id.get())));
        }
        if let Some(id) = f.organization_id {
            self.optional_id("t.organization_id", Some(Some(id.get())));
        }
        if let Some(path) = &f.category_path {
            let exact = self.bind(Value::Text(path.clone()));
            let below = starts_with(pg, "path", &format!("{path}/"), &mut |p| {
                self.bind(Value::Text(p))
            });
            self.clauses.push(format!(
                "t.category_id IN (SELECT id FROM categories WHERE path = {exact} OR {below})"
            ));
        }
        if let Some(tag) = &f.tag {
            let m = self.bind(Value::Text(tag.clone()));
            self.clauses.push(format!(
                "EXISTS (SELECT 1 FROM ticket_tags tt WHERE tt.ticket_id = t.id AND tt.tag = {m})"
            ));
        }
        if let Some(since) = f.updated_since {
            let m = self.bind(Value::Int(since.as_micros()));
            self.clauses.push(format!("t.updated_at >= {m}"));
        }
        if let Some(text) = &f.text {
            let columns = ["t.subject", "t.description"];
            let comments = f.text_in_comments.then_some("t.id");
            let mut bind = |p| self.bind(Value::Text(p));
            if let Some(all) = all_terms_in(pg, &columns, comments, text, &mut bind) {
                self.clauses.push(all);
            }
        }
        for (key, value) in &f.custom {
            let k = self.bind(Value::Text(key.clone()));
            let v = self.bind(Value::Text(value.clone()));
            self.clauses.push(format!(
                "EXISTS (SELECT 1 FROM ticket_field_values fv WHERE fv.ticket_id = t.id \
                 AND fv.field_key = {k} AND fv.value = {v})"
            ));
        }
    }

    fn filter_sla(&mut self, sla: Option<SlaFilter>) {
        if let Some(sla) = sla {
            let clause = crate::dialect::sla_clause("t.", sla, |v| self.bind(Value::Int(v)));
            self.clauses.push(clause);
        }
    }

    /// A requester's own tickets, those they watch, and their organization's when shared.
    fn filter_visible(&mut self, visible_to: Option<(UserId, Option<OrganizationId>)>) {
        let Some((user, org)) = visible_to else {
            return;
        };
        let u = self.bind(Value::Int(user.get()));
        let watched = format!(
            "EXISTS (SELECT 1 FROM ticket_watchers tw WHERE tw.ticket_id = t.id AND tw.user_id = {u})"
        );
        match org {
            Some(org) => {
                let o = self.bind(Value::Int(org.get()));
                self.clauses.push(format!(
                    "(t.requester_id = {u} OR {watched} OR (t.organization_id = {o} AND EXISTS \
                     (SELECT 1 FROM organizations so WHERE so.id = {o} AND so.shared_tickets)))"
                ));
            }
            None => self
                .clauses
                .push(format!("(t.requester_id = {u} OR {watched})")),
        }
    }

    /// Keyset pagination: strictly after the sort key of the last row of the page before.
    fn continue_after(&mut self, sort: Sort, after: Option<&[i64]>) {
        let Some(after) = after else {
            return;
        };
        let columns = columns(sort.key);
        let marks: Vec<String> = after.iter().map(|v| self.bind(Value::Int(*v))).collect();
        let op = if sort.descending { "<" } else { ">" };
        if sort.key == SortKey::Due {
            // Spelled out: SQLite bounds an index range by an indexed expression only
            // outside a row value, and a deep page must not scan from the start.
            let (c, m) = (columns[0], &marks[0]);
            self.clauses.push(format!(
                "{c} {op}= {m} AND ({c} {op} {m} OR ({}) {op} ({}))",
                columns[1..].join(", "),
                marks[1..].join(", ")
            ));
        } else {
            self.clauses.push(format!(
                "({}) {op} ({})",
                columns.join(", "),
                marks.join(", ")
            ));
        }
    }

    /// The statement picking the page's ids. They are picked from the tickets table alone,
    /// where an index covers the usual filters and sort keys, and only those rows are joined
    /// for display: joining first would read every matching ticket row before sorting,
    /// thousands for a busy queue. With `per_status`, one ordered branch a status, merged.
    fn page_ids(
        &mut self,
        pg: bool,
        sort: Sort,
        per_status: Option<&[Status]>,
        limit: i64,
    ) -> String {
        let columns = columns(sort.key);
        let direction = if sort.descending { " DESC" } else { "" };
        let order = order_by(sort);
        let limit = crate::dialect::limit_bound(pg, limit, |n| self.bind(Value::Int(n)));
        let Some(statuses) = per_status else {
            let where_sql = if self.clauses.is_empty() {
                String::new()
            } else {
                format!(" WHERE {}", self.clauses.join(" AND "))
            };
            return format!("SELECT t.id FROM tickets t{where_sql} ORDER BY {order} {limit}");
        };
        let keys: Vec<String> = (0..columns.len())
            .map(|i| format!("{} AS k{i}", columns[i]))
            .collect();
        let merged: Vec<String> = (0..columns.len())
            .map(|i| format!("k{i}{direction}"))
            .collect();
        let mut branches = Vec::new();
        for (i, status) in statuses.iter().enumerate() {
            let mut clauses = self.clauses.clone();
            clauses.push(status_in("t.status", std::slice::from_ref(status)));
            branches.push(format!(
                "SELECT * FROM (SELECT t.id, {} FROM tickets t WHERE {} ORDER BY {order} \
                 {limit}) AS b{i}",
                keys.join(", "),
                clauses.join(" AND ")
            ));
        }
        format!(
            "SELECT id FROM ({}) AS u ORDER BY {} {limit}",
            branches.join(" UNION ALL "),
            merged.join(", ")
        )
    }
}
