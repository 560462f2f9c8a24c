//! People, organizations and groups: who may use the desk and how they are organised.

use frontline_domain::{Email, Group, GroupId, Organization, OrganizationId, Role, User, UserId};
use frontline_store::Conn;

use crate::{Actor, CoreError, People, Permission, Result};

#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: Email,
    pub name: String,
    pub role: Role,
    pub organization: Option<String>,
    pub password: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewOrganization {
    pub name: String,
    pub domain: Option<String>,
    pub shared_tickets: bool,
}

impl People {
    /// Adds a person. Over the API only admins may; the CLI acts as the operator.
    pub async fn add_user(&self, actor: Option<&Actor>, new: NewUser) -> Result<User> {
        if let Some(a) = actor {
            a.require(Permission::AddPeople)?;
        }
        let name = frontline_domain::text::clean_text("name", &new.name, 200, false)?;
        let password_hash = new
            .password
            .as_deref()
            .map(crate::auth::hash_password)
            .transpose()?;
        let mut tx = self.core.begin().await?;
        let organization_id = match &new.organization {
            Some(org) => Some(
                tx.conn()
                    .organization_by_name(org)
                    .await?
                    .ok_or_else(|| CoreError::invalid("organization", "no such organization"))?
                    .id,
            ),
            None => organization_for(&mut tx.conn(), &new.email).await?,
        };
        let mut row = User {
            id: UserId::new(0),
            email: new.email.clone(),
            name,
            role: new.role,
            organization_id,
            password_hash,
            active: true,
            created_at: self.core.now(),
        };
        row.id = tx
            .conn()
            .insert_user(&row)
            .await
            .map_err(|e| match CoreError::from(e) {
                CoreError::Conflict(_) => {
                    CoreError::Conflict(format!("{} already has an account", new.email))
                }
                other => other,
            })?;
        tx.commit().await?;
        tracing::info!(user_id = %row.id, role = %new.role.as_str(), "user added");
        Ok(row)
    }

    /// People, by email; agents may list everyone, requesters only themselves.
    pub async fn list_users(
        &self,
        actor: &Actor,
        role: Option<Role>,
        after_email: &str,
        limit: i64,
    ) -> Result<Vec<User>> {
        actor.require_staff()?;
        let mut c = self.core.store.read().await?;
        Ok(c.conn().list_users(role, after_email, limit).await?)
    }

    /// People whose name or email holds every word of `text`, by name, each with their
    /// organization's name; staff only.
    pub async fn find_people(
        &self,
        actor: &Actor,
        text: &str,
        limit: i64,
    ) -> Result<Vec<(User, Option<String>)>> {
        actor.require_staff()?;
        let mut c = self.core.store.read().await?;
        Ok(c.conn().users_matching(text, limit).await?)
    }

    /// The person with this email, if the desk knows them; staff only.
    pub async fn person(&self, actor: &Actor, email: &Email) -> Result<Option<User>> {
        actor.require_staff()?;
        let mut c = self.core.store.read().await?;
        Ok(c.conn().user_by_email(email.as_str()).await?)
    }

    pub async fn organizations(&self, actor: &Actor) -> Result<Vec<Organization>> {
        actor.require_staff()?;
        let mut c = self.core.store.read().await?;
        Ok(c.conn().organizations().await?)
    }

    pub async fn add_organization(
        &self,
        actor: &Actor,
        new: NewOrganization,
    ) -> Result<Organization> {
        actor.require_configure()?;
        let name = frontline_domain::text::clean_text("name", &new.name, 200, false)?;
        let domain = new
            .domain
            .map(|d| Email::parse("domain", &format!("x@{d}")).map(|e| e.domain().to_owned()))
            .transpose()?;
        let mut row = Organization {
            id: OrganizationId::new(0),
            name,
            domain,
            shared_tickets: new.shared_tickets,
            created_at: self.core.now(),
        };
        let mut tx = self.core.begin().await?;
        row.id = tx.conn().insert_organization(&row).await?;
        tx.commit().await?;
        Ok(row)
    }

    pub async fn set_organization_sharing(
        &self,
        actor: &Actor,
        id: OrganizationId,
        shared: bool,
    ) -> Result<Organization> {
        actor.require_configure()?;
        let mut tx = self.core.begin().await?;
        let mut org = tx
            .conn()
            .organization_by_id(id)
            .await?
            .ok_or(CoreError::NotFound("organization"))?;
        org.shared_tickets = shared;
        tx.conn().update_organization(&org).await?;
        tx.commit().await?;
        Ok(org)
    }

    pub async fn groups(&self, actor: &Actor) -> Result<Vec<(Group, Vec<String>)>> {
        actor.require_staff()?;
        let mut c = self.core.store.read().await?;
        let mut out = Vec::new();
        for g in c.conn().groups().await? {
            let members = c.conn().group_members(g.id).await?;
            out.push((g, members));
        }
        Ok(out)
    }

    pub async fn add_group(
        &self,
        actor: Option<&Actor>,
        name: &str,
        description: &str,
    ) -> Result<Group> {
        if let Some(a) = actor {
            a.require_configure()?;
        }
        let mut row = Group {
            id: GroupId::new(0),
            name: frontline_domain::text::clean_text("name", name, 100, false)?,
            description: description.trim().chars().take(1000).collect(),
            created_at: self.core.now(),
        };
        let mut tx = self.core.begin().await?;
        row.id = tx.conn().insert_group(&row).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Replaces a group's members; each must be staff.
    pub async fn set_group_members(
        &self,
        actor: Option<&Actor>,
        group: &str,
        members: &[Email],
    ) -> Result<Vec<String>> {
        if let Some(a) = actor {
            a.require_configure()?;
        }
        let mut tx = self.core.begin().await?;
        let g = tx
            .conn()
            .group_by_name(group)
            .await?
            .ok_or(CoreError::NotFound("group"))?;
        let mut ids = Vec::new();
        for email in members {
            let u = tx.conn().user_by_email(email.as_str()).await?;
            match u {
                Some(u) if u.role.is_staff() => ids.push(u.id),
                _ => {
                    return Err(CoreError::invalid(
                        "members",
                        format!("{email} is not an agent of this desk"),
                    ));
                }
            }
        }
        tx.conn().set_group_members(g.id, &ids).await?;
        let out = tx.conn().group_members(g.id).await?;
        tx.commit().await?;
        Ok(out)
    }
}

/// The organization whose email domain matches the address, if any.
pub(crate) async fn organization_for(
    c: &mut Conn<'_>,
    email: &Email,
) -> Result<Option<OrganizationId>> {
    Ok(c.organization_by_domain(email.domain())
        .await?
        .map(|o| o.id))
}
