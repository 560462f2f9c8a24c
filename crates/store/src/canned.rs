//! Canned responses: reply templates, the desk's (no owner, kept by admins) and each agent's
//! own.

use frontline_domain::{CannedId, CannedResponse, Timestamp, UserId};
use sqlx::FromRow;

use crate::conn::on;
use crate::{Conn, Result};

/// A `canned_responses` row as stored; read out as a [`CannedResponse`].
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub(crate) struct CannedRow {
    id: i64,
    owner_id: Option<i64>,
    name: String,
    body: String,
    created_at: i64,
    updated_at: i64,
}

impl From<CannedRow> for CannedResponse {
    fn from(r: CannedRow) -> Self {
        CannedResponse {
            id: CannedId::new(r.id),
            owner_id: r.owner_id.map(UserId::new),
            name: r.name,
            body: r.body,
            created_at: Timestamp::from_micros(r.created_at),
            updated_at: Timestamp::from_micros(r.updated_at),
        }
    }
}

const COLUMNS: &str = "id, owner_id, name, body, created_at, updated_at";

impl Conn<'_> {
    /// The desk's responses and the person's own, the desk's first, each by name.
    pub async fn canned_for(&mut self, user_id: UserId) -> Result<Vec<CannedResponse>> {
        const SQL: &str = "SELECT id, owner_id, name, body, created_at, updated_at \
            FROM canned_responses WHERE owner_id IS NULL OR owner_id = $1 \
            ORDER BY owner_id IS NOT NULL, name, id";
        let rows: Vec<CannedRow> = on!(self, |c| sqlx::query_as(SQL)
            .bind(user_id.get())
            .fetch_all(c)
            .await?);
        Ok(rows.into_iter().map(CannedResponse::from).collect())
    }

    pub async fn canned_by_id(&mut self, id: CannedId) -> Result<Option<CannedResponse>> {
        let sql = format!("SELECT {COLUMNS} FROM canned_responses WHERE id = $1");
        let row: Option<CannedRow> =
            on!(self, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                .bind(id.get())
                .fetch_optional(c)
                .await?);
        Ok(row.map(CannedResponse::from))
    }

    /// A new response; its id. A name already used among the desk's (or the owner's) is a
    /// `Duplicate`.
    pub async fn insert_canned(
        &mut self,
        owner_id: Option<UserId>,
        name: &str,
        body: &str,
        now: i64,
    ) -> Result<CannedId> {
        let id: i64 = on!(self, |c| sqlx::query_scalar(
            "INSERT INTO canned_responses (owner_id, name, body, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $4) RETURNING id"
        )
        .bind(owner_id.map(UserId::get))
        .bind(name)
        .bind(body)
        .bind(now)
        .fetch_one(c)
        .await?);
        Ok(CannedId::new(id))
    }

    /// False when there is no such response.
    pub async fn update_canned(
        &mut self,
        id: CannedId,
        name: &str,
        body: &str,
        now: i64,
    ) -> Result<bool> {
        let done = on!(self, |c| sqlx::query(
            "UPDATE canned_responses SET name = $2, body = $3, updated_at = $4 WHERE id = $1"
        )
        .bind(id.get())
        .bind(name)
        .bind(body)
        .bind(now)
        .execute(c)
        .await?
        .rows_affected());
        Ok(done == 1)
    }

    pub async fn delete_canned(&mut self, id: CannedId) -> Result<bool> {
        let done = on!(self, |c| sqlx::query(
            "DELETE FROM canned_responses WHERE id = $1"
        )
        .bind(id.get())
        .execute(c)
        .await?
        .rows_affected());
        Ok(done == 1)
    }
}
