//! People, organizations and agent groups.

use frontline_domain::{
    Email, Group, GroupId, Organization, OrganizationId, Role, Timestamp, User, UserId,
};
use sqlx::{AssertSqlSafe, FromRow};

use crate::conn::on;
use crate::patterns::all_terms;
use crate::{Conn, Result, StoreError};

/// A `users` row as stored; read out as a [`User`].
#[derive(Debug, Clone, PartialEq, FromRow)]
pub(crate) struct UserRow {
    pub(crate) id: i64,
    pub(crate) email: String,
    pub(crate) name: String,
    pub(crate) role: String,
    pub(crate) organization_id: Option<i64>,
    pub(crate) password_hash: Option<String>,
    pub(crate) active: bool,
    pub(crate) created_at: i64,
}

/// A person found by a search, with their organization's name.
#[derive(FromRow)]
struct PersonRow {
    #[sqlx(flatten)]
    user: UserRow,
    organization_name: Option<String>,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;

    fn try_from(r: UserRow) -> Result<Self> {
        Ok(User {
            id: UserId::new(r.id),
            email: Email::from_parsed(r.email),
            name: r.name,
            role: Role::parse(&r.role).map_err(|e| StoreError::corrupt("users.role", e))?,
            organization_id: r.organization_id.map(OrganizationId::new),
            password_hash: r.password_hash,
            active: r.active,
            created_at: Timestamp::from_micros(r.created_at),
        })
    }
}

/// An `organizations` row as stored; read out as an [`Organization`].
#[derive(Debug, Clone, PartialEq, FromRow)]
pub(crate) struct OrganizationRow {
    id: i64,
    name: String,
    domain: Option<String>,
    shared_tickets: bool,
    created_at: i64,
}

impl From<OrganizationRow> for Organization {
    fn from(r: OrganizationRow) -> Self {
        Organization {
            id: OrganizationId::new(r.id),
            name: r.name,
            domain: r.domain,
            shared_tickets: r.shared_tickets,
            created_at: Timestamp::from_micros(r.created_at),
        }
    }
}

/// An `agent_groups` row as stored; read out as a [`Group`].
#[derive(Debug, Clone, PartialEq, FromRow)]
pub(crate) struct GroupRow {
    id: i64,
    name: String,
    description: String,
    created_at: i64,
}

impl From<GroupRow> for Group {
    fn from(r: GroupRow) -> Self {
        Group {
            id: GroupId::new(r.id),
            name: r.name,
            description: r.description,
            created_at: Timestamp::from_micros(r.created_at),
        }
    }
}

impl Conn<'_> {
    pub async fn insert_user(&mut self, u: &User) -> Result<UserId> {
        Ok(UserId::new(on!(self, |c| sqlx::query_scalar(
            "INSERT INTO users (email, name, role, organization_id, password_hash, active, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
        )
        .bind(u.email.as_str())
        .bind(&u.name)
        .bind(u.role.as_str())
        .bind(u.organization_id.map(OrganizationId::get))
        .bind(&u.password_hash)
        .bind(u.active)
        .bind(u.created_at.as_micros())
        .fetch_one(c)
        .await?)))
    }

    pub async fn user_by_email(&mut self, email: &str) -> Result<Option<User>> {
        const SQL: &str = "SELECT id, email, name, role, organization_id, password_hash, active, \
            created_at FROM users WHERE email = $1";
        let row: Option<UserRow> = on!(self, |c| sqlx::query_as(SQL)
            .bind(email)
            .fetch_optional(c)
            .await?);
        row.map(User::try_from).transpose()
    }

    pub async fn user_by_id(&mut self, id: UserId) -> Result<Option<User>> {
        const SQL: &str = "SELECT id, email, name, role, organization_id, password_hash, active, \
            created_at FROM users WHERE id = $1";
        let row: Option<UserRow> = on!(self, |c| sqlx::query_as(SQL)
            .bind(id.get())
            .fetch_optional(c)
            .await?);
        row.map(User::try_from).transpose()
    }

    /// People in email order, `limit` after `after_email`, optionally of one role.
    pub async fn list_users(
        &mut self,
        role: Option<Role>,
        after_email: &str,
        limit: i64,
    ) -> Result<Vec<User>> {
        let sql = format!(
            "SELECT id, email, name, role, organization_id, password_hash, active, created_at \
             FROM users WHERE email > $1 AND ($2 = '' OR role = $2) ORDER BY email {}",
            crate::dialect::limit(limit)
        );
        let rows: Vec<UserRow> = on!(self, |c| sqlx::query_as(AssertSqlSafe(sql.clone()))
            .bind(after_email)
            .bind(role.map_or("", Role::as_str))
            .fetch_all(c)
            .await?);
        rows.into_iter().map(User::try_from).collect()
    }

    /// People whose name or email holds every term of `text` (matched as ticket text is, see
    /// `patterns`), by name, at most `limit`, each with their organization's name; none when
    /// `text` has no term.
    pub async fn users_matching(
        &mut self,
        text: &str,
        limit: i64,
    ) -> Result<Vec<(User, Option<String>)>> {
        let pg = self.is_postgres();
        let mut values: Vec<String> = Vec::new();
        let mut bind = |p: String| {
            values.push(p);
            format!("${}", values.len())
        };
        let Some(clause) = all_terms(pg, &["u.name", "u.email"], text, &mut bind) else {
            return Ok(Vec::new());
        };
        let sql = format!(
            "SELECT u.id, u.email, u.name, u.role, u.organization_id, u.password_hash, u.active, \
             u.created_at, (SELECT o.name FROM organizations o WHERE o.id = u.organization_id) \
             AS organization_name FROM users u WHERE {clause} ORDER BY u.name, u.id {}",
            crate::dialect::limit(limit)
        );
        let rows: Vec<PersonRow> = on!(self, |c| {
            let mut q = sqlx::query_as(AssertSqlSafe(sql.clone()));
            for v in &values {
                q = q.bind(v.clone());
            }
            q.fetch_all(c).await?
        });
        rows.into_iter()
            .map(|r| Ok((User::try_from(r.user)?, r.organization_name)))
            .collect()
    }

    pub async fn update_user(&mut self, u: &User) -> Result<()> {
        on!(self, |c| sqlx::query(
            "UPDATE users SET name = $1, role = $2, organization_id = $3, password_hash = $4, \
             active = $5 WHERE id = $6"
        )
        .bind(&u.name)
        .bind(u.role.as_str())
        .bind(u.organization_id.map(OrganizationId::get))
        .bind(&u.password_hash)
        .bind(u.active)
        .bind(u.id.get())
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

    pub async fn insert_organization(&mut self, o: &Organization) -> Result<OrganizationId> {
        Ok(OrganizationId::new(on!(self, |c| sqlx::query_scalar(
            "INSERT INTO organizations (name, domain, shared_tickets, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING id"
        )
        .bind(&o.name)
        .bind(&o.domain)
        .bind(o.shared_tickets)
        .bind(o.created_at.as_micros())
        .fetch_one(c)
        .await?)))
    }

    pub async fn update_organization(&mut self, o: &Organization) -> Result<()> {
        on!(self, |c| sqlx::query(
            "UPDATE organizations SET name = $1, domain = $2, shared_tickets = $3 WHERE id = $4"
        )
        .bind(&o.name)
        .bind(&o.domain)
        .bind(o.shared_tickets)
        .bind(o.id.get())
        .execute(c)
        .await?
        .rows_affected());
        Ok(())
    }

    pub async fn organizations(&mut self) -> Result<Vec<Organization>> {
        let rows: Vec<OrganizationRow> = on!(self, |c| {
            sqlx::query_as(
            "SELECT id, name, domain, shared_tickets, created_at FROM organizations ORDER BY name"
        )
        .fetch_all(c)
        .await?
        });
        Ok(rows.into_iter().map(Organization::from).collect())
    }

    pub async fn organization_by_id(&mut self, id: OrganizationId) -> Result<Option<Organization>> {
        let row: Option<OrganizationRow> = on!(self, |c| {
            sqlx::query_as(
            "SELECT id, name, domain, shared_tickets, created_at FROM organizations WHERE id = $1"
        )
        .bind(id.get())
        .fetch_optional(c)
        .await?
        });
        Ok(row.map(Organization::from))
    }

    pub async fn organization_by_name(&mut self, name: &str) -> Result<Option<Organization>> {
        let row: Option<OrganizationRow> = on!(self, |c| {
            sqlx::query_as(
            "SELECT id, name, domain, shared_tickets, created_at FROM organizations WHERE name = $1"
        )
        .bind(name)
        .fetch_optional(c)
        .await?
        });
        Ok(row.map(Organization::from))
    }

    pub async fn organization_by_domain(&mut self, domain: &str) -> Result<Option<Organization>> {
        let row: Option<OrganizationRow> = on!(self, |c| {
            sqlx::query_as(
            "SELECT id, name, domain, shared_tickets, created_at FROM organizations WHERE domain = $1"
        )
        .bind(domain)
        .fetch_optional(c)
        .await?
        });
        Ok(row.map(Organization::from))
    }

    pub async fn insert_group(&mut self, g: &Group) -> Result<GroupId> {
        Ok(GroupId::new(on!(self, |c| {
            sqlx::query_scalar(
            "INSERT INTO agent_groups (name, description, created_at) VALUES ($1, $2, $3) RETURNING id"
        )
        .bind(&g.name)
        .bind(&g.description)
        .bind(g.created_at.as_micros())
        .fetch_one(c)
        .await?
        })))
    }

    pub async fn groups(&mut self) -> Result<Vec<Group>> {
        let rows: Vec<GroupRow> = on!(self, |c| sqlx::query_as(
            "SELECT id, name, description, created_at FROM agent_groups ORDER BY name"
        )
        .fetch_all(c)
        .await?);
        Ok(rows.into_iter().map(Group::from).collect())
    }

    pub async fn group_by_name(&mut self, name: &str) -> Result<Option<Group>> {
        let row: Option<GroupRow> = on!(self, |c| sqlx::query_as(
            "SELECT id, name, description, created_at FROM agent_groups WHERE name = $1"
        )
        .bind(name)
        .fetch_optional(c)
        .await?);
        Ok(row.map(Group::from))
    }

    pub async fn group_by_id(&mut self, id: GroupId) -> Result<Option<Group>> {
        let row: Option<GroupRow> = on!(self, |c| sqlx::query_as(
            "SELECT id, name, description, created_at FROM agent_groups WHERE id = $1"
        )
        .bind(id.get())
        .fetch_optional(c)
        .await?);
        Ok(row.map(Group::from))
    }

    /// Emails of a group's members, in order.
    pub async fn group_members(&mut self, group_id: GroupId) -> Result<Vec<String>> {
        Ok(on!(self, |c| sqlx::query_scalar(
            "SELECT u.email FROM group_members m JOIN users u ON u.id = m.user_id \
             WHERE m.group_id = $1 ORDER BY u.email"
        )
        .bind(group_id.get())
        .fetch_all(c)
        .await?))
    }

    pub async fn set_group_members(
        &mut self,
        group_id: GroupId,
        user_ids: &[UserId],
    ) -> Result<()> {
        on!(self, |c| sqlx::query(
            "DELETE FROM group_members WHERE group_id = $1"
        )
        .bind(group_id.get())
        .execute(&mut *c)
        .await?
        .rows_affected());
        for user in user_ids {
            on!(self, |c| {
                sqlx::query(
                "INSERT INTO group_members (group_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
            )
            .bind(group_id.get())
            .bind(user.get())
            .execute(&mut *c)
            .await?
            .rows_affected()
            });
        }
        Ok(())
    }

    pub async fn is_group_member(&mut self, group_id: GroupId, user_id: UserId) -> Result<bool> {
        let n: i64 = on!(self, |c| sqlx::query_scalar(
            "SELECT COUNT(*) FROM group_members WHERE group_id = $1 AND user_id = $2"
        )
        .bind(group_id.get())
        .bind(user_id.get())
        .fetch_one(c)
        .await?);
        Ok(n > 0)
    }
}
