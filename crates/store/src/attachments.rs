//! Attachments and their content, stored once per SHA-256 in the database so that every node
//! of a deployment sees the same files.

use frontline_domain::{Attachment, AttachmentId, CommentId, TicketId, Timestamp};
use sqlx::{AssertSqlSafe, FromRow};

use crate::conn::on;
use crate::{Conn, Result};

/// An attachment as stored.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub(crate) struct AttachmentRow {
    pub id: i64,
    pub comment_id: i64,
    pub ticket_id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: i64,
}

impl From<AttachmentRow> for Attachment {
    fn from(r: AttachmentRow) -> Self {
        Attachment {
            id: AttachmentId::new(r.id),
            comment_id: CommentId::new(r.comment_id),
            ticket_id: TicketId::new(r.ticket_id),
            filename: r.filename,
            content_type: r.content_type,
            size: r.size,
            sha256: r.sha256,
            created_at: Timestamp::from_micros(r.created_at),
        }
    }
}

#[derive(FromRow)]
struct AttachmentWithVisibility {
    #[sqlx(flatten)]
    attachment: AttachmentRow,
    internal: bool,
}

impl Conn<'_> {
    /// Stores content under its hash; storing the same content again is a no-op.
    pub async fn put_blob(&mut self, sha256: &str, data: &[u8]) -> Result<()> {
        let size = i64::try_from(data.len()).unwrap_or(i64::MAX);
        on!(self, |c| sqlx::query(
            "INSERT INTO blobs (sha256, size, data) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
        )
        .bind(sha256)
        .bind(size)
        .bind(data)
        .execute(c)
        .await?
        .rows_affected());
        Ok(())
    }

    pub async fn blob(&mut self, sha256: &str) -> Result<Option<Vec<u8>>> {
        Ok(on!(self, |c| sqlx::query_scalar(
            "SELECT data FROM blobs WHERE sha256 = $1"
        )
        .bind(sha256)
        .fetch_optional(c)
        .await?))
    }

    /// Records an attachment and returns its number; `a.id` is ignored.
    pub async fn insert_attachment(&mut self, a: &Attachment) -> Result<AttachmentId> {
        let id: i64 = on!(self, |c| {
            sqlx::query_scalar(
            "INSERT INTO attachments (comment_id, ticket_id, filename, content_type, size, sha256, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
        )
        .bind(a.comment_id.get())
        .bind(a.ticket_id.get())
        .bind(&a.filename)
        .bind(&a.content_type)
        .bind(a.size)
        .bind(&a.sha256)
        .bind(a.created_at.as_micros())
        .fetch_one(c)
        .await?
        });
        Ok(AttachmentId::new(id))
    }

    /// An attachment and whether the comment it belongs to is an internal note.
    pub async fn attachment(&mut self, id: AttachmentId) -> Result<Option<(Attachment, bool)>> {
        let row: Option<AttachmentWithVisibility> = on!(self, |c| sqlx::query_as(
            "SELECT a.id, a.comment_id, a.ticket_id, a.filename, a.content_type, a.size, \
             a.sha256, a.created_at, m.internal FROM attachments a \
             JOIN comments m ON m.id = a.comment_id WHERE a.id = $1",
        )
        .bind(id.get())
        .fetch_optional(c)
        .await?);
        Ok(row.map(|r| (r.attachment.into(), r.internal)))
    }

    /// The attachments of a set of comments, in upload order.
    pub async fn attachments_of(&mut self, comment_ids: &[CommentId]) -> Result<Vec<Attachment>> {
        if comment_ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<String> = comment_ids.iter().map(CommentId::to_string).collect();
        let sql = format!(
            "SELECT id, comment_id, ticket_id, filename, content_type, size, sha256, created_at \
             FROM attachments WHERE comment_id IN ({}) ORDER BY id",
            ids.join(",")
        );
        let rows: Vec<AttachmentRow> = on!(self, |c| sqlx::query_as(AssertSqlSafe(sql))
            .fetch_all(c)
            .await?);
        Ok(rows.into_iter().map(Attachment::from).collect())
    }
}
