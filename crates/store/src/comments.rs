//! The conversation: public replies and internal notes, oldest first.

use frontline_domain::{
    Comment, CommentId, CommentRecord, Email, Role, TicketId, Timestamp, UserId,
};
use sqlx::{AssertSqlSafe, FromRow};

use crate::conn::on;
use crate::{Conn, Result, StoreError};

/// A comment as stored.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub(crate) struct CommentRow {
    pub id: i64,
    pub ticket_id: i64,
    pub author_id: i64,
    pub body: String,
    pub internal: bool,
    /// The ticket it was written on; differs from `ticket_id` after a merge.
    pub source_ticket_id: i64,
    pub created_at: i64,
}

/// A comment as stored, with its author's names joined in.
#[derive(Debug, Clone, FromRow)]
struct CommentViewRow {
    #[sqlx(flatten)]
    row: CommentRow,
    author_email: String,
    author_name: String,
    author_role: String,
}

impl From<CommentRow> for CommentRecord {
    fn from(r: CommentRow) -> Self {
        CommentRecord {
            id: CommentId::new(r.id),
            ticket_id: TicketId::new(r.ticket_id),
            author_id: UserId::new(r.author_id),
            body: r.body,
            internal: r.internal,
            source_ticket_id: TicketId::new(r.source_ticket_id),
            created_at: Timestamp::from_micros(r.created_at),
        }
    }
}

/// The attachments are left empty: the caller reads them for a page at once.
impl TryFrom<CommentViewRow> for Comment {
    type Error = StoreError;

    fn try_from(v: CommentViewRow) -> Result<Self> {
        Ok(Comment {
            record: v.row.into(),
            author_email: Email::from_parsed(v.author_email),
            author_name: v.author_name,
            author_role: Role::parse(&v.author_role)
                .map_err(|e| StoreError::corrupt("users.role", e))?,
            attachments: Vec::new(),
        })
    }
}

impl Conn<'_> {
    pub async fn insert_comment(&mut self, c_: &CommentRecord) -> Result<CommentId> {
        Ok(CommentId::new(on!(self, |c| sqlx::query_scalar(
            "INSERT INTO comments (ticket_id, author_id, body, internal, source_ticket_id, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
        )
        .bind(c_.ticket_id.get())
        .bind(c_.author_id.get())
        .bind(&c_.body)
        .bind(c_.internal)
        .bind(c_.source_ticket_id.get())
        .bind(c_.created_at.as_micros())
        .fetch_one(c)
        .await?)))
    }

    /// A page of a ticket's conversation after comment `after_id`; internal notes only when
    /// `with_internal`.
    pub async fn comments(
        &mut self,
        ticket_id: TicketId,
        with_internal: bool,
        after_id: CommentId,
        limit: i64,
    ) -> Result<Vec<Comment>> {
        let sql = format!(
            "SELECT m.id, m.ticket_id, m.author_id, m.body, m.internal, m.source_ticket_id, \
             m.created_at, u.email AS author_email, u.name AS author_name, u.role AS author_role \
             FROM comments m JOIN users u ON u.id = m.author_id \
             WHERE m.ticket_id = $1 AND m.id > $2 AND ($3 OR NOT m.internal) \
             ORDER BY m.id {}",
            crate::dialect::limit(limit)
        );
        let rows: Vec<CommentViewRow> = on!(self, |c| sqlx::query_as(AssertSqlSafe(sql.clone()))
            .bind(ticket_id.get())
            .bind(after_id.get())
            .bind(with_internal)
            .fetch_all(c)
            .await?);
        rows.into_iter().map(Comment::try_from).collect()
    }

    /// Moves a merged ticket's conversation, the time spent on it and its attachments to the
    /// ticket it merged into.
    pub async fn move_conversation(&mut self, from: TicketId, to: TicketId) -> Result<()> {
        const MOVES: [&str; 3] = [
            "UPDATE comments SET ticket_id = $1 WHERE ticket_id = $2",
            "UPDATE time_entries SET ticket_id = $1 WHERE ticket_id = $2",
            "UPDATE attachments SET ticket_id = $1 WHERE ticket_id = $2",
        ];
        for sql in MOVES {
            on!(self, |c| sqlx::query(sql)
                .bind(to.get())
                .bind(from.get())
                .execute(&mut *c)
                .await?
                .rows_affected());
        }
        Ok(())
    }
}
