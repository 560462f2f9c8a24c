//! Desk configuration: categories, custom field definitions and settings (the priority
//! matrix and other small documents, stored as JSON text under a key).

use frontline_domain::{Category, CategoryId};
use sqlx::FromRow;

use crate::conn::on;
use crate::{Conn, Result};

/// A `categories` row as stored; read out as a [`Category`].
#[derive(Debug, Clone, PartialEq, FromRow)]
pub(crate) struct CategoryRow {
    id: i64,
    path: String,
    name: String,
    parent_id: Option<i64>,
}

impl From<CategoryRow> for Category {
    fn from(r: CategoryRow) -> Self {
        Category {
            id: CategoryId::new(r.id),
            path: r.path,
            name: r.name,
            parent_id: r.parent_id.map(CategoryId::new),
        }
    }
}

impl Conn<'_> {
    pub async fn insert_category(
        &mut self,
        path: &str,
        name: &str,
        parent_id: Option<CategoryId>,
    ) -> Result<CategoryId> {
        let id: i64 = on!(self, |c| sqlx::query_scalar(
            "INSERT INTO categories (path, name, parent_id) VALUES ($1, $2, $3) RETURNING id"
        )
        .bind(path)
        .bind(name)
        .bind(parent_id.map(CategoryId::get))
        .fetch_one(c)
        .await?);
        Ok(CategoryId::new(id))
    }

    pub async fn category_by_path(&mut self, path: &str) -> Result<Option<Category>> {
        let row: Option<CategoryRow> = on!(self, |c| sqlx::query_as(
            "SELECT id, path, name, parent_id FROM categories WHERE path = $1"
        )
        .bind(path)
        .fetch_optional(c)
        .await?);
        Ok(row.map(Category::from))
    }

    pub async fn categories(&mut self) -> Result<Vec<Category>> {
        let rows: Vec<CategoryRow> = on!(self, |c| sqlx::query_as(
            "SELECT id, path, name, parent_id FROM categories ORDER BY path"
        )
        .fetch_all(c)
        .await?);
        Ok(rows.into_iter().map(Category::from).collect())
    }

    /// Custom field definitions as stored JSON, in display order.
    pub async fn custom_field_definitions(&mut self) -> Result<Vec<String>> {
        Ok(on!(self, |c| sqlx::query_scalar(
            "SELECT definition FROM custom_fields ORDER BY position, key"
        )
        .fetch_all(c)
        .await?))
    }

    pub async fn insert_custom_field(&mut self, key: &str, definition: &str) -> Result<()> {
        on!(self, |c| sqlx::query(
            "INSERT INTO custom_fields (key, definition, position) \
             VALUES ($1, $2, (SELECT COALESCE(MAX(position), 0) + 1 FROM custom_fields))"
        )
        .bind(key)
        .bind(definition)
        .execute(c)
        .await?
        .rows_affected());
        Ok(())
    }

    pub async fn setting(&mut self, key: &str) -> Result<Option<String>> {
        Ok(on!(self, |c| sqlx::query_scalar(
            "SELECT value FROM settings WHERE key = $1"
        )
        .bind(key)
        .fetch_optional(c)
        .await?))
    }

    pub async fn put_setting(&mut self, key: &str, value: &str) -> Result<()> {
        on!(self, |c| sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value"
        )
        .bind(key)
        .bind(value)
        .execute(c)
        .await?
        .rows_affected());
        Ok(())
    }
}
