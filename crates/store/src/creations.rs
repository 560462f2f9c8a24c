//! New tickets and what hangs on them (tags, events, comments), many rows per statement: the
//! live write path of every new ticket (the core's ticket writer commits a batch of creations
//! in one transaction through it), and the loader of `frontline generate`.
//!
//! Rows are written with ids the caller chose, because events and tags refer to them. The
//! ticket writer takes them from [`Conn::reserve_ids`]; `generate` asks for [`Conn::next_id`]
//! under [`Conn::lock_for_bulk`] and calls [`Conn::sync_ids`] once at the end, which moves
//! PostgreSQL's identity sequences past what was loaded. Everything else is the same SQL on
//! both databases.

use sqlx::AssertSqlSafe;

use frontline_domain::{CommentRecord, EventRecord, TicketId, TicketRecord, UserId};

use crate::conn::on;
use crate::tickets::TicketRow;
use crate::{Conn, Result};

/// Tables whose ids the writer of the rows chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdTable {
    Tickets,
    Comments,
}

impl IdTable {
    fn name(self) -> &'static str {
        match self {
            IdTable::Tickets => "tickets",
            IdTable::Comments => "comments",
        }
    }
}

/// One value of a row; what both drivers bind the same way.
enum Cell<'a> {
    Int(i64),
    OptInt(Option<i64>),
    Text(&'a str),
    OptText(Option<&'a str>),
    Bool(bool),
}

/// Bind parameters per statement: well under SQLite's limit (32,766) and PostgreSQL's
/// (65,535), and small enough that one statement stays far below a second.
const MAX_PARAMS: usize = 10_000;

const TICKET_COLUMNS: &[&str] = &[
    "id",
    "subject",
    "description",
    "status",
    "ticket_type",
    "impact",
    "urgency",
    "priority",
    "priority_overridden",
    "category_id",
    "requester_id",
    "organization_id",
    "group_id",
    "assignee_id",
    "channel",
    "custom_fields",
    "merged_into_id",
    "version",
    "created_at",
    "updated_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
];

const COMMENT_COLUMNS: &[&str] = &[
    "id",
    "ticket_id",
    "author_id",
    "body",
    "internal",
    "source_ticket_id",
    "created_at",
];

const EVENT_COLUMNS: &[&str] = &[
    "ticket_id",
    "actor_id",
    "at",
    "kind",
    "field",
    "old_value",
    "new_value",
    "internal",
];

impl Conn<'_> {
    /// Holds off other writers of tickets and comments until the transaction ends, so ids
    /// chosen from [`Conn::next_id`] stay free. SQLite's write transaction already does.
    pub async fn lock_for_bulk(&mut self) -> Result<()> {
        if let Conn::Postgres(c) = self {
            sqlx::query("LOCK TABLE tickets, comments IN SHARE ROW EXCLUSIVE MODE")
                .execute(&mut **c)
                .await?;
        }
        Ok(())
    }

    /// The smallest id above every row of `table`.
    pub async fn next_id(&mut self, table: IdTable) -> Result<i64> {
        let sql = format!("SELECT COALESCE(MAX(id), 0) + 1 FROM {}", table.name());
        Ok(on!(self, |c| sqlx::query_scalar(AssertSqlSafe(sql))
            .fetch_one(c)
            .await?))
    }

    /// `n` fresh ticket ids, ascending, for the tickets a write transaction inserts in bulk.
    pub async fn reserve_ticket_ids(&mut self, n: usize) -> Result<Vec<TicketId>> {
        let ids = self.reserve_ids(IdTable::Tickets, n).await?;
        Ok(ids.into_iter().map(TicketId::new).collect())
    }

    /// `n` fresh ids of `table`, ascending, for rows a write transaction inserts in bulk. On
    /// PostgreSQL they come from the table's sequence, so concurrent nodes never collide; on
    /// SQLite the transaction holds the write lock, so the ids above the largest stay free
    /// until it commits.
    async fn reserve_ids(&mut self, table: IdTable, n: usize) -> Result<Vec<i64>> {
        let count = i64::try_from(n).unwrap_or(i64::MAX);
        match self {
            Conn::Postgres(c) => {
                let sql = format!(
                    "SELECT nextval(pg_get_serial_sequence('{}', 'id')) \
                     FROM generate_series(1, $1)",
                    table.name()
                );
                let mut ids: Vec<i64> = sqlx::query_scalar(AssertSqlSafe(sql))
                    .bind(count)
                    .fetch_all(&mut **c)
                    .await?;
                ids.sort_unstable();
                Ok(ids)
            }
            Conn::Sqlite(_) => {
                let first = self.next_id(table).await?;
                Ok((first..first.saturating_add(count)).collect())
            }
        }
    }

    /// After rows were inserted with chosen ids: the next id the database hands out is above
    /// them. SQLite already takes `MAX(rowid) + 1`.
    pub async fn sync_ids(&mut self, table: IdTable) -> Result<()> {
        if let Conn::Postgres(c) = self {
            let name = table.name();
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('{name}', 'id'), \
                 GREATEST((SELECT MAX(id) FROM {name}), 1))"
            );
            sqlx::query(AssertSqlSafe(sql)).execute(&mut **c).await?;
        }
        Ok(())
    }

    /// Inserts tickets with the ids they carry.
    pub async fn bulk_tickets(&mut self, tickets: &[TicketRecord]) -> Result<()> {
        let rows: Vec<TicketRow> = tickets.iter().map(TicketRow::from).collect();
        let cells = rows.iter().map(|r| {
            vec![
                Cell::Int(r.id),
                Cell::Text(&r.subject),
                Cell::Text(&r.description),
                Cell::Text(&r.status),
                Cell::Text(&r.ticket_type),
                Cell::Text(&r.impact),
                Cell::Text(&r.urgency),
                Cell::Int(r.priority),
                Cell::Bool(r.priority_overridden),
                Cell::OptInt(r.category_id),
                Cell::Int(r.requester_id),
                Cell::OptInt(r.organization_id),
                Cell::OptInt(r.group_id),
                Cell::OptInt(r.assignee_id),
                Cell::Text(&r.channel),
                Cell::Text(&r.custom_fields),
                Cell::OptInt(r.merged_into_id),
                Cell::Int(r.version),
                Cell::Int(r.created_at),
                Cell::Int(r.updated_at),
                Cell::OptInt(r.first_response_at),
                Cell::OptInt(r.resolved_at),
                Cell::OptInt(r.closed_at),
            ]
        });
        self.insert_rows("tickets", TICKET_COLUMNS, cells.collect())
            .await
    }

    /// Inserts comments with the ids they carry.
    pub async fn bulk_comments(&mut self, rows: &[CommentRecord]) -> Result<()> {
        let cells = rows.iter().map(|r| {
            vec![
                Cell::Int(r.id.get()),
                Cell::Int(r.ticket_id.get()),
                Cell::Int(r.author_id.get()),
                Cell::Text(&r.body),
                Cell::Bool(r.internal),
                Cell::Int(r.source_ticket_id.get()),
                Cell::Int(r.created_at.as_micros()),
            ]
        });
        self.insert_rows("comments", COMMENT_COLUMNS, cells.collect())
            .await
    }

    /// Appends audit events; the database numbers them.
    pub async fn bulk_events(&mut self, rows: &[EventRecord]) -> Result<()> {
        let cells = rows.iter().map(|r| {
            vec![
                Cell::Int(r.ticket_id.get()),
                Cell::OptInt(r.actor_id.map(UserId::get)),
                Cell::Int(r.at.as_micros()),
                Cell::Text(r.kind.as_str()),
                Cell::OptText(r.field.as_deref()),
                Cell::OptText(r.old_value.as_deref()),
                Cell::OptText(r.new_value.as_deref()),
                Cell::Bool(r.internal),
            ]
        });
        self.insert_rows("events", EVENT_COLUMNS, cells.collect())
            .await
    }

    /// Inserts `(ticket_id, tag)` pairs.
    pub async fn bulk_tags(&mut self, rows: &[(TicketId, String)]) -> Result<()> {
        let cells = rows
            .iter()
            .map(|(id, tag)| vec![Cell::Int(id.get()), Cell::Text(tag)]);
        self.insert_rows("ticket_tags", &["ticket_id", "tag"], cells.collect())
            .await
    }

    /// `INSERT INTO table (columns) VALUES (…), (…), …` in statements of as many rows as the
    /// parameter limit allows.
    async fn insert_rows(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: Vec<Vec<Cell<'_>>>,
    ) -> Result<()> {
        let per_statement = (MAX_PARAMS / columns.len()).max(1);
        for chunk in rows.chunks(per_statement) {
            let sql = values_sql(table, columns, chunk.len(), self.is_postgres());
            on!(self, |c| {
                let mut q = sqlx::query(AssertSqlSafe(sql));
                for cell in chunk.iter().flatten() {
                    q = match cell {
                        Cell::Int(v) => q.bind(*v),
                        Cell::OptInt(v) => q.bind(*v),
                        Cell::Text(v) => q.bind(*v),
                        Cell::OptText(v) => q.bind(*v),
                        Cell::Bool(v) => q.bind(*v),
                    };
                }
                q.execute(c).await?;
            });
        }
        Ok(())
    }
}

/// The statement text. SQLite gets anonymous `?` placeholders: it treats `$n` as a *named*
/// parameter and looks each one up among those before it, which is quadratic in a statement
/// of thousands.
fn values_sql(table: &str, columns: &[&str], rows: usize, numbered: bool) -> String {
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    let mut n = 0;
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for col in 0..columns.len() {
            if col > 0 {
                sql.push_str(", ");
            }
            n += 1;
            if numbered {
                sql.push('$');
                sql.push_str(&n.to_string());
            } else {
                sql.push('?');
            }
        }
        sql.push(')');
    }
    sql
}

#[cfg(test)]
mod tests {
    use super::values_sql;

    #[test]
    fn numbers_every_parameter_once_in_row_order() {
        assert_eq!(
            values_sql("t", &["a", "b"], 2, true),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"
        );
        assert_eq!(
            values_sql("t", &["a", "b"], 2, false),
            "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)"
        );
    }
}
