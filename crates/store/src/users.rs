//! People, organizations and agent groups.

use sqlx::FromRow;

use crate::conn::on;
use crate::{Conn, Result};

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub organization_id: Option<i64>,
    pub password_hash: Option<String>,
    pub active: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct OrganizationRow {
    pub id: i64,
    pub name: String,
    pub domain: Option<String>,
    pub shared_tickets: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct GroupRow {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub created_at: i64,
}

impl Conn<'_> {
    pub async fn insert_user(&mut self, u: &UserRow) -> Result<i64> {
        Ok(on!(self, |c| sqlx::query_scalar(
            "INSERT INTO users (email, name, role, organization_id, password_hash, active, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
        )
        .bind(&u.email)
        .bind(&u.name)
        .bind(&u.role)
        .bind(u.organization_id)
        .bind(&u.password_hash)
        .bind(u.active)
        .bind(u.created_at)
        .fetch_one(c)
        .await?))
    }

    pub async fn user_by_email(&mut self, email: &str) -> Result<Option<UserRow>> {
        const SQL: &str = "SELECT id, email, name, role, organization_id, password_hash, active, \
            created_at FROM users WHERE email = $1";
        Ok(on!(self, |c| sqlx::query_as(SQL)
            .bind(email)
            .fetch_optional(c)
            .await?))
    }

    pub async fn user_by_id(&mut self, id: i64) -> Result<Option<UserRow>> {
        const SQL: &str = "SELECT id, email, name, role, organization_id, password_hash, active, \
            created_at FROM users WHERE id = $1";
        Ok(on!(self, |c| sqlx::query_as(SQL)
            .bind(id)
            .fetch_optional(c)
            .await?))
    }

    /// People in email order, `limit` after `after_email`, optionally of one role.
    pub async fn list_users(
        &mut self,
        role: Option<&str>,
        after_email: &str,
        limit: i64,
    ) -> Result<Vec<UserRow>> {
        const SQL: &str = "SELECT id, email, name, role, organization_id, password_hash, active, \
            created_at FROM users WHERE email > $1 AND ($2 = '' OR role = $2) ORDER BY email LIMIT $3";
        Ok(on!(self, |c| sqlx::query_as(SQL)
            .bind(after_email)
            .bind(role.unwrap_or(""))
            .bind(limit)
            .fetch_all(c)
            .await?))
    }

    pub async fn update_user(&mut self, u: &UserRow) -> Result<()> {
        on!(self, |c| sqlx::query(
            "UPDATE users SET name = $1, role = $2, organization_id = $3, password_hash = $4, \
             active = $5 WHERE id = $6"
        )
        .bind(&u.name)
        .bind(&u.role)
        .bind(u.organization_id)
        .bind(&u.password_hash)
        .bind(u.active)
        .bind(u.id)
        .execute(c)
        .await?
        .rows_affected());
        Ok(())
    }

    pub async fn count_users(&mut self) -> Result<i64> {
        Ok(on!(self, |c| sqlx::query_scalar(
            "SELECT COUNT(*) FROM users"
        )
        .fetch_one(c)
        .await?))
    }

    pub async fn insert_organization(&mut self, o: &OrganizationRow) -> Result<i64> {
        Ok(on!(self, |c| sqlx::query_scalar(
            "INSERT INTO organizations (name, domain, shared_tickets, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING id"
        )
        .bind(&o.name)
        .bind(&o.domain)
        .bind(o.shared_tickets)
        .bind(o.created_at)
        .fetch_one(c)
        .await?))
    }

    pub async fn update_organization(&mut self, o: &OrganizationRow) -> Result<()> {
        on!(self, |c| sqlx::query(
            "UPDATE organizations SET name = $1, domain = $2, shared_tickets = $3 WHERE id = $4"
        )
        .bind(&o.name)
        .bind(&o.domain)
        .bind(o.shared_tickets)
        .bind(o.id)
        .execute(c)
        .await?
        .rows_affected());
        Ok(())
    }

    pub async fn organizations(&mut self) -> Result<Vec<OrganizationRow>> {
        Ok(on!(self, |c| sqlx::query_as(
            "SELECT id, name, domain, shared_tickets, created_at FROM organizations ORDER BY name"
        )
        .fetch_all(c)
        .await?))
    }

    pub async fn organization_by_id(&mut self, id: i64) -> Result<Option<OrganizationRow>> {
        Ok(on!(self, |c| sqlx::query_as(
            "SELECT id, name, domain, shared_tickets, created_at FROM organizations WHERE id = $1"
        )
        .bind(id)
        .fetch_optional(c)
        .await?))
    }

    pub async fn organization_by_name(&mut self, name: &str) -> Result<Option<OrganizationRow>> {
        Ok(on!(self, |c| sqlx::query_as(
            "SELECT id, name, domain, shared_tickets, created_at FROM organizations WHERE name = $1"
        )
        .bind(name)
        .fetch_optional(c)
        .await?))
    }

    pub async fn organization_by_domain(
        &mut self,
        domain: &str,
    ) -> Result<Option<OrganizationRow>> {
        Ok(on!(self, |c| {
            sqlx::query_as(
            "SELECT id, name, domain, shared_tickets, created_at FROM organizations WHERE domain = $1"
        )
        .bind(domain)
        .fetch_optional(c)
        .await?
        }))
    }

    pub async fn insert_group(&mut self, g: &GroupRow) -> Result<i64> {
        Ok(on!(self, |c| {
            sqlx::query_scalar(
            "INSERT INTO agent_groups (name, description, created_at) VALUES ($1, $2, $3) RETURNING id"
        )
        .bind(&g.name)
        .bind(&g.description)
        .bind(g.created_at)
        .fetch_one(c)
        .await?
        }))
    }

    pub async fn groups(&mut self) -> Result<Vec<GroupRow>> {
        Ok(on!(self, |c| sqlx::query_as(
            "SELECT id, name, description, created_at FROM agent_groups ORDER BY name"
        )
        .fetch_all(c)
        .await?))
    }

    pub async fn group_by_name(&mut self, name: &str) -> Result<Option<GroupRow>> {
        Ok(on!(self, |c| sqlx::query_as(
            "SELECT id, name, description, created_at FROM agent_groups WHERE name = $1"
        )
        .bind(name)
        .fetch_optional(c)
        .await?))
    }

    pub async fn group_by_id(&mut self, id: i64) -> Result<Option<GroupRow>> {
        Ok(on!(self, |c| sqlx::query_as(
            "SELECT id, name, description, created_at FROM agent_groups WHERE id = $1"
        )
        .bind(id)
        .fetch_optional(c)
        .await?))
    }

    /// Emails of a group's members, in order.
    pub async fn group_members(&mut self, group_id: i64) -> Result<Vec<String>> {
        Ok(on!(self, |c| sqlx::query_scalar(
            "SELECT u.email FROM group_members m JOIN users u ON u.id = m.user_id \
             WHERE m.group_id = $1 ORDER BY u.email"
        )
        .bind(group_id)
        .fetch_all(c)
        .await?))
    }

    pub async fn set_group_members(&mut self, group_id: i64, user_ids: &[i64]) -> Result<()> {
        on!(self, |c| sqlx::query(
            "DELETE FROM group_members WHERE group_id = $1"
        )
        .bind(group_id)
        .execute(&mut *c)
        .await?
        .rows_affected());
        for user in user_ids {
            on!(self, |c| {
                sqlx::query(
                "INSERT INTO group_members (group_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
            )
            .bind(group_id)
            .bind(user)
            .execute(&mut *c)
            .await?
            .rows_affected()
            });
        }
        Ok(())
    }

    pub async fn is_group_member(&mut self, group_id: i64, user_id: i64) -> Result<bool> {
        let n: i64 = on!(self, |c| sqlx::query_scalar(
            "SELECT COUNT(*) FROM group_members WHERE group_id = $1 AND user_id = $2"
        )
        .bind(group_id)
        .bind(user_id)
        .fetch_one(c)
        .await?);
        Ok(n > 0)
    }
}
